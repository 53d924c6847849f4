<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>InvoiceHistoryTab</name>
    <message numerus="yes">
        <source>%1 invoice(s) · balance %2</source>
        <translation>
            <numerusform>%1 invoice · balance %2</numerusform>
            <numerusform>%1 invoices · balance %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Revoked %n payment link(s) of invoice %1.</source>
        <translation>
            <numerusform>Revoked %n payment link of invoice %1.</numerusform>
            <numerusform>Revoked %n payment links of invoice %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InvoiceView</name>
    <message numerus="yes">
        <source>%n working payment link(s), until %1.</source>
        <translation>
            <numerusform>%n working payment link, until %1.</numerusform>
            <numerusform>%n working payment links, until %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PaymentActions</name>
    <message numerus="yes">
        <source>The demo gateway ran its daily settlement now (%n payment(s) settled).</source>
        <translation>
            <numerusform>The demo gateway ran its daily settlement now (%n payment settled).</numerusform>
            <numerusform>The demo gateway ran its daily settlement now (%n payments settled).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PaymentSearchTab</name>
    <message numerus="yes">
        <source>%1 payment(s)</source>
        <translation>
            <numerusform>%1 payment</numerusform>
            <numerusform>%1 payments</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QuickBooksDesktopBox</name>
    <message numerus="yes">
        <source>%n update(s) wait for the next Web Connector session.</source>
        <translation>
            <numerusform>%n update wait for the next Web Connector session.</numerusform>
            <numerusform>%n updates wait for the next Web Connector session.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SavedMethodsDialog</name>
    <message numerus="yes">
        <source>%n card(s) expired: ask the customer for the new expiry date, or delete it.</source>
        <translation>
            <numerusform>%n card expired: ask the customer for the new expiry date, or delete it.</numerusform>
            <numerusform>%n cards expired: ask the customer for the new expiry date, or delete it.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n card(s) expire within 60 days.</source>
        <translation>
            <numerusform>%n card expire within 60 days.</numerusform>
            <numerusform>%n cards expire within 60 days.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message numerus="yes">
        <source>⚠ %n sync problem(s)</source>
        <translation>
            <numerusform>⚠ %n sync problem</numerusform>
            <numerusform>⚠ %n sync problems</numerusform>
        </translation>
    </message>
</context>
</TS>
