<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en_US">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About PayApp</source>
        <translation>Über PayApp</translation>
    </message>
    <message>
        <source>Version {0}</source>
        <translation>Version {0}</translation>
    </message>
    <message>
        <source>Card and eCheck payments on your invoices, kept in step with QuickBooks Online and Autotask.</source>
        <translation>Karten- und eCheck-Zahlungen auf Ihre Rechnungen, abgeglichen mit QuickBooks Online und Autotask.</translation>
    </message>
    <message>
        <source>Company database: {0}</source>
        <translation>Firmendatenbank: {0}</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add user</source>
        <translation>Benutzer hinzufügen</translation>
    </message>
    <message>
        <source>At least {n} characters</source>
        <translation>Mindestens {n} Zeichen</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>Rolle:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Repeat password:</source>
        <translation>Passwort wiederholen:</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Die Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>AdminTab</name>
    <message>
        <source>Admin</source>
        <translation>Verwaltung</translation>
    </message>
    <message>
        <source>The Admin tab is for admins. Ask an admin to change settings or users.</source>
        <translation>Die Verwaltung ist Administratoren vorbehalten. Bitten Sie einen Administrator, Einstellungen oder Benutzer zu ändern.</translation>
    </message>
    <message>
        <source>Payment Processing</source>
        <translation>Zahlungsabwicklung</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Audit Log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Company details</source>
        <translation>Firmendaten</translation>
    </message>
    <message>
        <source>Client Portal</source>
        <translation>Kundenportal</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>%1 has changes that are not saved. Leave without saving them?</source>
        <translation>%1 hat Änderungen, die nicht gespeichert sind. Ohne Speichern verlassen?</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Nicht gespeicherte Änderungen</translation>
    </message>
</context>
<context>
    <name>AuditLabels</name>
    <message>
        <source>Signed in</source>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <source>Sign-in failed</source>
        <translation>Anmeldung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Locked after failed sign-ins</source>
        <translation>Nach fehlgeschlagenen Anmeldungen gesperrt</translation>
    </message>
    <message>
        <source>User created</source>
        <translation>Benutzer angelegt</translation>
    </message>
    <message>
        <source>User enabled</source>
        <translation>Benutzer aktiviert</translation>
    </message>
    <message>
        <source>User disabled</source>
        <translation>Benutzer deaktiviert</translation>
    </message>
    <message>
        <source>Role changed</source>
        <translation>Rolle geändert</translation>
    </message>
    <message>
        <source>Password reset</source>
        <translation>Passwort zurückgesetzt</translation>
    </message>
    <message>
        <source>Audit log exported</source>
        <translation>Prüfprotokoll exportiert</translation>
    </message>
    <message>
        <source>Payment pending</source>
        <translation>Zahlung ausstehend</translation>
    </message>
    <message>
        <source>Payment approved</source>
        <translation>Zahlung genehmigt</translation>
    </message>
    <message>
        <source>Payment declined</source>
        <translation>Zahlung abgelehnt</translation>
    </message>
    <message>
        <source>Payment failed</source>
        <translation>Zahlung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Payment being checked</source>
        <translation>Zahlung wird geprüft</translation>
    </message>
    <message>
        <source>Payment settled</source>
        <translation>Zahlung abgerechnet</translation>
    </message>
    <message>
        <source>Payment voided</source>
        <translation>Zahlung storniert</translation>
    </message>
    <message>
        <source>Payment refunded</source>
        <translation>Zahlung erstattet</translation>
    </message>
    <message>
        <source>Payment partly refunded</source>
        <translation>Zahlung teilweise erstattet</translation>
    </message>
    <message>
        <source>Payment returned by the bank</source>
        <translation>Zahlung von der Bank zurückgegeben</translation>
    </message>
    <message>
        <source>Void being checked</source>
        <translation>Storno wird geprüft</translation>
    </message>
    <message>
        <source>Refund being checked</source>
        <translation>Erstattung wird geprüft</translation>
    </message>
    <message>
        <source>Void failed</source>
        <translation>Storno fehlgeschlagen</translation>
    </message>
    <message>
        <source>Refund failed</source>
        <translation>Erstattung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Payment approved after it was marked failed</source>
        <translation>Zahlung genehmigt, nachdem sie als fehlgeschlagen markiert war</translation>
    </message>
    <message>
        <source>Payment needs attention</source>
        <translation>Zahlung braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Sync retried</source>
        <translation>Abgleich wiederholt</translation>
    </message>
    <message>
        <source>Receipt saved as PDF</source>
        <translation>Beleg als PDF gespeichert</translation>
    </message>
    <message>
        <source>Receipt printed</source>
        <translation>Beleg gedruckt</translation>
    </message>
    <message>
        <source>Payments exported</source>
        <translation>Zahlungen exportiert</translation>
    </message>
    <message>
        <source>Payment method saved</source>
        <translation>Zahlungsmittel gespeichert</translation>
    </message>
    <message>
        <source>Saved payment method deleted</source>
        <translation>Gespeichertes Zahlungsmittel gelöscht</translation>
    </message>
    <message>
        <source>Saved payment method renamed</source>
        <translation>Gespeichertes Zahlungsmittel umbenannt</translation>
    </message>
    <message>
        <source>Saved card&apos;s expiry date changed</source>
        <translation>Ablaufdatum der gespeicherten Karte geändert</translation>
    </message>
    <message>
        <source>Payment link created</source>
        <translation>Zahlungslink erstellt</translation>
    </message>
    <message>
        <source>Payment link revoked</source>
        <translation>Zahlungslink widerrufen</translation>
    </message>
    <message>
        <source>Who may pay on the client portal changed</source>
        <translation>Geändert, wer im Kundenportal bezahlen darf</translation>
    </message>
    <message>
        <source>Signed in to the client portal</source>
        <translation>Im Kundenportal angemeldet</translation>
    </message>
    <message>
        <source>Payment link e-mailed</source>
        <translation>Zahlungslink per E-Mail gesendet</translation>
    </message>
    <message>
        <source>Payment link e-mail failed</source>
        <translation>E-Mail mit Zahlungslink fehlgeschlagen</translation>
    </message>
    <message>
        <source>Receipt e-mailed</source>
        <translation>Beleg per E-Mail gesendet</translation>
    </message>
    <message>
        <source>Receipt e-mail failed</source>
        <translation>E-Mail mit Beleg fehlgeschlagen</translation>
    </message>
    <message>
        <source>E-mail settings changed</source>
        <translation>E-Mail-Einstellungen geändert</translation>
    </message>
    <message>
        <source>E-mail template changed</source>
        <translation>E-Mail-Vorlage geändert</translation>
    </message>
    <message>
        <source>Refund approval requested</source>
        <translation>Erstattungsfreigabe angefordert</translation>
    </message>
    <message>
        <source>Refund approved</source>
        <translation>Erstattung freigegeben</translation>
    </message>
    <message>
        <source>Refund rejected</source>
        <translation>Erstattung abgelehnt</translation>
    </message>
    <message>
        <source>Approved refund sent</source>
        <translation>Freigegebene Erstattung gesendet</translation>
    </message>
    <message>
        <source>Refund approval reopened</source>
        <translation>Erstattungsfreigabe wieder geöffnet</translation>
    </message>
    <message>
        <source>Settings changed</source>
        <translation>Einstellungen geändert</translation>
    </message>
    <message>
        <source>Internal currency set</source>
        <translation>Interne Währung festgelegt</translation>
    </message>
    <message>
        <source>Gateway keys replaced</source>
        <translation>Gateway-Schlüssel ersetzt</translation>
    </message>
    <message>
        <source>Gateway keys cleared</source>
        <translation>Gateway-Schlüssel gelöscht</translation>
    </message>
    <message>
        <source>Autotask connection saved</source>
        <translation>Autotask-Verbindung gespeichert</translation>
    </message>
    <message>
        <source>Autotask connection cleared</source>
        <translation>Autotask-Verbindung gelöscht</translation>
    </message>
    <message>
        <source>Autotask zone stored</source>
        <translation>Autotask-Zone gespeichert</translation>
    </message>
    <message>
        <source>QuickBooks connection saved</source>
        <translation>QuickBooks-Verbindung gespeichert</translation>
    </message>
    <message>
        <source>QuickBooks connected</source>
        <translation>QuickBooks verbunden</translation>
    </message>
    <message>
        <source>QuickBooks disconnected</source>
        <translation>QuickBooks getrennt</translation>
    </message>
    <message>
        <source>QuickBooks refund account chosen</source>
        <translation>QuickBooks-Erstattungskonto gewählt</translation>
    </message>
    <message>
        <source>QuickBooks company name stored</source>
        <translation>QuickBooks-Firmenname gespeichert</translation>
    </message>
    <message>
        <source>Sync job retried</source>
        <translation>Abgleichsauftrag wiederholt</translation>
    </message>
    <message>
        <source>Sync problem dismissed</source>
        <translation>Abgleichsproblem verworfen</translation>
    </message>
    <message>
        <source>All sign-ins</source>
        <translation>Alle Anmeldungen</translation>
    </message>
    <message>
        <source>All user changes</source>
        <translation>Alle Benutzeränderungen</translation>
    </message>
    <message>
        <source>All audit log exports</source>
        <translation>Alle Exporte des Prüfprotokolls</translation>
    </message>
    <message>
        <source>All payment actions</source>
        <translation>Alle Zahlungsaktionen</translation>
    </message>
    <message>
        <source>All payment exports</source>
        <translation>Alle Zahlungsexporte</translation>
    </message>
    <message>
        <source>All saved payment method changes</source>
        <translation>Alle Änderungen an gespeicherten Zahlungsmitteln</translation>
    </message>
    <message>
        <source>All refund approvals</source>
        <translation>Alle Erstattungsfreigaben</translation>
    </message>
    <message>
        <source>All settings changes</source>
        <translation>Alle Einstellungsänderungen</translation>
    </message>
    <message>
        <source>All gateway key changes</source>
        <translation>Alle Änderungen der Gateway-Schlüssel</translation>
    </message>
    <message>
        <source>All connection changes</source>
        <translation>Alle Verbindungsänderungen</translation>
    </message>
    <message>
        <source>All sync job actions</source>
        <translation>Alle Aktionen an Abgleichsaufträgen</translation>
    </message>
    <message>
        <source>All e-mails and e-mail settings</source>
        <translation>Alle E-Mails und E-Mail-Einstellungen</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Zahlung</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Saved payment method</source>
        <translation>Gespeichertes Zahlungsmittel</translation>
    </message>
    <message>
        <source>Sync job</source>
        <translation>Abgleichsauftrag</translation>
    </message>
    <message>
        <source>%1 · invoice %2</source>
        <translation>%1 · Rechnung %2</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>Payment type</source>
        <translation>Zahlungsart</translation>
    </message>
    <message>
        <source>Last four digits</source>
        <translation>Letzte vier Ziffern</translation>
    </message>
    <message>
        <source>Order ID</source>
        <translation>Auftrags-ID</translation>
    </message>
    <message>
        <source>Transaction ID</source>
        <translation>Transaktions-ID</translation>
    </message>
    <message>
        <source>Response code</source>
        <translation>Antwortcode</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Invoice (internal ID)</source>
        <translation>Rechnung (interne ID)</translation>
    </message>
    <message>
        <source>Payment link (internal ID)</source>
        <translation>Zahlungslink (interne ID)</translation>
    </message>
    <message>
        <source>Payment links</source>
        <translation>Zahlungslinks</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <source>Company (internal ID)</source>
        <translation>Firma (interne ID)</translation>
    </message>
    <message>
        <source>Client portal contact (internal ID)</source>
        <translation>Kontakt im Kundenportal (interne ID)</translation>
    </message>
    <message>
        <source>Void/refund (internal ID)</source>
        <translation>Storno/Erstattung (interne ID)</translation>
    </message>
    <message>
        <source>Sent to the gateway</source>
        <translation>An das Gateway gesendet</translation>
    </message>
    <message>
        <source>After the bank&apos;s return</source>
        <translation>Nach der Rückgabe durch die Bank</translation>
    </message>
    <message>
        <source>After a full refund</source>
        <translation>Nach einer vollständigen Erstattung</translation>
    </message>
    <message>
        <source>Invoice re-opened</source>
        <translation>Rechnung wieder geöffnet</translation>
    </message>
    <message>
        <source>Approval request</source>
        <translation>Freigabeanfrage</translation>
    </message>
    <message>
        <source>Sync jobs</source>
        <translation>Abgleichsaufträge</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>First admin</source>
        <translation>Erster Administrator</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>Demo</translation>
    </message>
    <message>
        <source>Locked until</source>
        <translation>Gesperrt bis</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Änderungen</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Vorher</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Nachher</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>Zeilen</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Gateway message</source>
        <translation>Meldung des Gateways</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>Gateway address</source>
        <translation>Gateway-Adresse</translation>
    </message>
    <message>
        <source>Private key fingerprint</source>
        <translation>Fingerabdruck des privaten Schlüssels</translation>
    </message>
    <message>
        <source>Public key fingerprint</source>
        <translation>Fingerabdruck des öffentlichen Schlüssels</translation>
    </message>
    <message>
        <source>PayEngine address</source>
        <translation>PayEngine-Adresse</translation>
    </message>
    <message>
        <source>PayEngine API key fingerprint</source>
        <translation>Fingerabdruck des PayEngine-API-Schlüssels</translation>
    </message>
    <message>
        <source>PayEngine merchant ID fingerprint</source>
        <translation>Fingerabdruck der PayEngine-Händler-ID</translation>
    </message>
    <message>
        <source>PayPal address</source>
        <translation>PayPal-Adresse</translation>
    </message>
    <message>
        <source>PayPal API password fingerprint</source>
        <translation>Fingerabdruck des PayPal-API-Passworts</translation>
    </message>
    <message>
        <source>PayPal API username fingerprint</source>
        <translation>Fingerabdruck des PayPal-API-Benutzernamens</translation>
    </message>
    <message>
        <source>PayPal API signature fingerprint</source>
        <translation>Fingerabdruck der PayPal-API-Signatur</translation>
    </message>
    <message>
        <source>Keys replaced by</source>
        <translation>Schlüssel ersetzt von</translation>
    </message>
    <message>
        <source>Keys replaced at</source>
        <translation>Schlüssel ersetzt am</translation>
    </message>
    <message>
        <source>Credit card for the back office</source>
        <translation>Kreditkarte im Backoffice</translation>
    </message>
    <message>
        <source>eCheck for the back office</source>
        <translation>eCheck im Backoffice</translation>
    </message>
    <message>
        <source>Credit card for the client portal</source>
        <translation>Kreditkarte im Kundenportal</translation>
    </message>
    <message>
        <source>eCheck for the client portal</source>
        <translation>eCheck im Kundenportal</translation>
    </message>
    <message>
        <source>SEPA direct debit for the back office</source>
        <translation>SEPA-Lastschrift im Backoffice</translation>
    </message>
    <message>
        <source>SEPA direct debit for the client portal</source>
        <translation>SEPA-Lastschrift im Kundenportal</translation>
    </message>
    <message>
        <source>PayPal for the back office</source>
        <translation>PayPal für das Backoffice</translation>
    </message>
    <message>
        <source>PayPal for the client portal</source>
        <translation>PayPal für das Kundenportal</translation>
    </message>
    <message>
        <source>Internal currency</source>
        <translation>Interne Währung</translation>
    </message>
    <message>
        <source>Refunds above this need a second user</source>
        <translation>Erstattungen darüber brauchen einen zweiten Benutzer</translation>
    </message>
    <message>
        <source>Refuse card payments whose CVV does not match</source>
        <translation>Kartenzahlungen ablehnen, deren CVV nicht übereinstimmt</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Autotask API user</source>
        <translation>Autotask-API-Benutzer</translation>
    </message>
    <message>
        <source>Autotask integration code fingerprint</source>
        <translation>Fingerabdruck des Autotask-Integrationscodes</translation>
    </message>
    <message>
        <source>Autotask secret fingerprint</source>
        <translation>Fingerabdruck des Autotask-Geheimnisses</translation>
    </message>
    <message>
        <source>Autotask zone (cached)</source>
        <translation>Autotask-Zone (zwischengespeichert)</translation>
    </message>
    <message>
        <source>Autotask address</source>
        <translation>Autotask-Adresse</translation>
    </message>
    <message>
        <source>QuickBooks client ID</source>
        <translation>QuickBooks-Client-ID</translation>
    </message>
    <message>
        <source>QuickBooks client secret fingerprint</source>
        <translation>Fingerabdruck des QuickBooks-Client-Geheimnisses</translation>
    </message>
    <message>
        <source>QuickBooks company (realm) ID</source>
        <translation>QuickBooks-Firmen-ID (Realm)</translation>
    </message>
    <message>
        <source>QuickBooks address</source>
        <translation>QuickBooks-Adresse</translation>
    </message>
    <message>
        <source>QuickBooks sign-in address</source>
        <translation>QuickBooks-Anmeldeadresse</translation>
    </message>
    <message>
        <source>QuickBooks company name</source>
        <translation>QuickBooks-Firmenname</translation>
    </message>
    <message>
        <source>QuickBooks item (ID) for invoice and refund lines</source>
        <translation>QuickBooks-Artikel (ID) für Rechnungs- und Erstattungszeilen</translation>
    </message>
    <message>
        <source>QuickBooks account (ID) for payments</source>
        <translation>QuickBooks-Konto (ID) für Zahlungen</translation>
    </message>
    <message>
        <source>QuickBooks account (ID) for refunds</source>
        <translation>QuickBooks-Konto (ID) für Erstattungen</translation>
    </message>
    <message>
        <source>QuickBooks account for refunds</source>
        <translation>QuickBooks-Konto für Erstattungen</translation>
    </message>
    <message>
        <source>Accounting connector</source>
        <translation>Buchhaltungsanbindung</translation>
    </message>
    <message>
        <source>Web Connector user name</source>
        <translation>Web-Connector-Benutzername</translation>
    </message>
    <message>
        <source>Web Connector password fingerprint</source>
        <translation>Fingerabdruck des Web-Connector-Passworts</translation>
    </message>
    <message>
        <source>Web Connector service address</source>
        <translation>Dienstadresse für den Web Connector</translation>
    </message>
    <message>
        <source>Web Connector OwnerID</source>
        <translation>Web-Connector-OwnerID</translation>
    </message>
    <message>
        <source>Web Connector FileID</source>
        <translation>Web-Connector-FileID</translation>
    </message>
    <message>
        <source>Web Connector schedule</source>
        <translation>Zeitplan des Web Connectors</translation>
    </message>
    <message>
        <source>Web Connector service in this app</source>
        <translation>Web-Connector-Dienst in dieser App</translation>
    </message>
    <message>
        <source>Web Connector service port</source>
        <translation>Port des Web-Connector-Dienstes</translation>
    </message>
    <message>
        <source>QuickBooks Desktop item for invoice and refund lines</source>
        <translation>QuickBooks-Desktop-Artikel für Rechnungs- und Erstattungspositionen</translation>
    </message>
    <message>
        <source>QuickBooks Desktop account refunds are paid from</source>
        <translation>QuickBooks-Desktop-Konto, von dem Erstattungen gezahlt werden</translation>
    </message>
    <message>
        <source>QuickBooks redirect URI</source>
        <translation>QuickBooks-Weiterleitungs-URI</translation>
    </message>
    <message>
        <source>Company name</source>
        <translation>Firmenname</translation>
    </message>
    <message>
        <source>Company address</source>
        <translation>Firmenadresse</translation>
    </message>
    <message>
        <source>Company e-mail</source>
        <translation>Firmen-E-Mail</translation>
    </message>
    <message>
        <source>Company phone</source>
        <translation>Firmentelefon</translation>
    </message>
    <message>
        <source>Company logo</source>
        <translation>Firmenlogo</translation>
    </message>
    <message>
        <source>Client portal on</source>
        <translation>Kundenportal eingeschaltet</translation>
    </message>
    <message>
        <source>Client portal address</source>
        <translation>Adresse des Kundenportals</translation>
    </message>
    <message>
        <source>Clients reach the portal by</source>
        <translation>Kunden erreichen das Portal über</translation>
    </message>
    <message>
        <source>Payment links expire after (days)</source>
        <translation>Zahlungslinks laufen ab nach (Tagen)</translation>
    </message>
    <message>
        <source>Client portal accent colour</source>
        <translation>Akzentfarbe des Kundenportals</translation>
    </message>
    <message>
        <source>Client portal footer text</source>
        <translation>Fußzeile des Kundenportals</translation>
    </message>
    <message>
        <source>Client portal support e-mail</source>
        <translation>Support-E-Mail des Kundenportals</translation>
    </message>
    <message>
        <source>Client portal support phone</source>
        <translation>Support-Telefon des Kundenportals</translation>
    </message>
    <message>
        <source>Mail server</source>
        <translation>Mailserver</translation>
    </message>
    <message>
        <source>Mail server port</source>
        <translation>Port des Mailservers</translation>
    </message>
    <message>
        <source>Mail encryption</source>
        <translation>Verschlüsselung der E-Mail</translation>
    </message>
    <message>
        <source>Mail user name</source>
        <translation>Benutzername für den Mailserver</translation>
    </message>
    <message>
        <source>Mail password fingerprint</source>
        <translation>Fingerabdruck des Mail-Passworts</translation>
    </message>
    <message>
        <source>Mail sender address</source>
        <translation>Absenderadresse der E-Mails</translation>
    </message>
    <message>
        <source>E-mail template: invoice, English, subject</source>
        <translation>E-Mail-Vorlage: Rechnung, Englisch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: invoice, English, text</source>
        <translation>E-Mail-Vorlage: Rechnung, Englisch, Text</translation>
    </message>
    <message>
        <source>E-mail template: invoice, German, subject</source>
        <translation>E-Mail-Vorlage: Rechnung, Deutsch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: invoice, German, text</source>
        <translation>E-Mail-Vorlage: Rechnung, Deutsch, Text</translation>
    </message>
    <message>
        <source>E-mail template: reminder, English, subject</source>
        <translation>E-Mail-Vorlage: Zahlungserinnerung, Englisch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: reminder, English, text</source>
        <translation>E-Mail-Vorlage: Zahlungserinnerung, Englisch, Text</translation>
    </message>
    <message>
        <source>E-mail template: reminder, German, subject</source>
        <translation>E-Mail-Vorlage: Zahlungserinnerung, Deutsch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: reminder, German, text</source>
        <translation>E-Mail-Vorlage: Zahlungserinnerung, Deutsch, Text</translation>
    </message>
    <message>
        <source>E-mail template: credit note, English, subject</source>
        <translation>E-Mail-Vorlage: Gutschrift, Englisch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: credit note, English, text</source>
        <translation>E-Mail-Vorlage: Gutschrift, Englisch, Text</translation>
    </message>
    <message>
        <source>E-mail template: credit note, German, subject</source>
        <translation>E-Mail-Vorlage: Gutschrift, Deutsch, Betreff</translation>
    </message>
    <message>
        <source>E-mail template: credit note, German, text</source>
        <translation>E-Mail-Vorlage: Gutschrift, Deutsch, Text</translation>
    </message>
    <message>
        <source>Sync every (minutes)</source>
        <translation>Abgleich alle (Minuten)</translation>
    </message>
    <message>
        <source>Installation ID</source>
        <translation>Installations-ID</translation>
    </message>
    <message>
        <source>unknown user</source>
        <translation>unbekannter Benutzer</translation>
    </message>
    <message>
        <source>account locked</source>
        <translation>Konto gesperrt</translation>
    </message>
    <message>
        <source>account disabled</source>
        <translation>Konto deaktiviert</translation>
    </message>
    <message>
        <source>wrong password</source>
        <translation>falsches Passwort</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>Audit Log</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Von-Datum</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Bis-Datum</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Any action</source>
        <translation>Jede Aktion</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Search details…</source>
        <translation>Details durchsuchen …</translation>
    </message>
    <message>
        <source>Search details</source>
        <translation>Details durchsuchen</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren …</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown</source>
        <translation>{shown} von {total} Einträgen angezeigt</translation>
    </message>
    <message>
        <source>No entries match these filters. Untick the dates or clear the other filters, then press Apply.</source>
        <translation>Keine Einträge passen zu diesen Filtern. Entfernen Sie die Häkchen bei den Daten oder leeren Sie die anderen Filter und klicken Sie dann auf „Anwenden“.</translation>
    </message>
    <message>
        <source>Nothing has been recorded yet. Sign-ins, payments and changes to settings and users appear here.</source>
        <translation>Noch nichts protokolliert. Anmeldungen, Zahlungen und Änderungen an Einstellungen und Benutzern erscheinen hier.</translation>
    </message>
    <message>
        <source>Export audit log</source>
        <translation>Prüfprotokoll exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Export failed: {reason}</source>
        <translation>Export fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>Exported {n} entries to {path}</source>
        <translation>{n} Einträge nach {path} exportiert</translation>
    </message>
</context>
<context>
    <name>AuditTable</name>
    <message>
        <source>When (local time)</source>
        <translation>Wann (Ortszeit)</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Entity</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>Arbeitsplatz</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>BankForm</name>
    <message>
        <source>New bank account (eCheck)</source>
        <translation>Neues Bankkonto (eCheck)</translation>
    </message>
    <message>
        <source>Personal</source>
        <translation>Privat</translation>
    </message>
    <message>
        <source>Business</source>
        <translation>Geschäftlich</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Girokonto</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>Sparkonto</translation>
    </message>
    <message>
        <source>Save payment information</source>
        <translation>Zahlungsdaten speichern</translation>
    </message>
    <message>
        <source>Account holder:</source>
        <translation>Kontoinhaber:</translation>
    </message>
    <message>
        <source>Account type:</source>
        <translation>Kontoart:</translation>
    </message>
    <message>
        <source>Name on account:</source>
        <translation>Name des Kontoinhabers:</translation>
    </message>
    <message>
        <source>Routing number (9 digits):</source>
        <translation>Bankleitzahl (Routing, 9 Ziffern):</translation>
    </message>
    <message>
        <source>Account number:</source>
        <translation>Kontonummer:</translation>
    </message>
    <message>
        <source>Account number again:</source>
        <translation>Kontonummer wiederholen:</translation>
    </message>
    <message>
        <source>Company:</source>
        <translation>Firma:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>City:</source>
        <translation>Ort:</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Bundesstaat:</translation>
    </message>
    <message>
        <source>ZIP code:</source>
        <translation>Postleitzahl:</translation>
    </message>
    <message>
        <source>Enter the name on the account.</source>
        <translation>Geben Sie den Namen des Kontoinhabers ein.</translation>
    </message>
    <message>
        <source>Enter the account number again.</source>
        <translation>Geben Sie die Kontonummer noch einmal ein.</translation>
    </message>
    <message>
        <source>The account numbers do not match. Type the number again.</source>
        <translation>Die Kontonummern stimmen nicht überein. Geben Sie die Nummer noch einmal ein.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Close message</source>
        <translation>Meldung schließen</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>CardForm</name>
    <message>
        <source>United States</source>
        <translation>Vereinigte Staaten</translation>
    </message>
    <message>
        <source>Canada</source>
        <translation>Kanada</translation>
    </message>
    <message>
        <source>New credit card</source>
        <translation>Neue Kreditkarte</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Kartennummer</translation>
    </message>
    <message>
        <source>MM/YY</source>
        <translation>MM/JJ</translation>
    </message>
    <message>
        <source>Save payment information</source>
        <translation>Zahlungsdaten speichern</translation>
    </message>
    <message>
        <source>Card number:</source>
        <translation>Kartennummer:</translation>
    </message>
    <message>
        <source>Expiry (MM/YY):</source>
        <translation>Gültig bis (MM/JJ):</translation>
    </message>
    <message>
        <source>Security code (CVV):</source>
        <translation>Prüfnummer (CVV):</translation>
    </message>
    <message>
        <source>First and last name exactly as on the card.</source>
        <translation>Vor- und Nachname genau wie auf der Karte.</translation>
    </message>
    <message>
        <source>First name:</source>
        <translation>Vorname:</translation>
    </message>
    <message>
        <source>Last name:</source>
        <translation>Nachname:</translation>
    </message>
    <message>
        <source>Billing address:</source>
        <translation>Rechnungsadresse:</translation>
    </message>
    <message>
        <source>City:</source>
        <translation>Ort:</translation>
    </message>
    <message>
        <source>Country:</source>
        <translation>Land:</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Bundesstaat:</translation>
    </message>
    <message>
        <source>ZIP / postal code:</source>
        <translation>Postleitzahl:</translation>
    </message>
    <message>
        <source>Enter the first name.</source>
        <translation>Geben Sie den Vornamen ein.</translation>
    </message>
    <message>
        <source>Enter the last name.</source>
        <translation>Geben Sie den Nachnamen ein.</translation>
    </message>
    <message>
        <source>Card brand: %1</source>
        <translation>Kartenmarke: %1</translation>
    </message>
</context>
<context>
    <name>ClientPortalPage</name>
    <message>
        <source>Client Portal</source>
        <translation>Kundenportal</translation>
    </message>
    <message>
        <source>The client portal is a web page where your clients pay an invoice themselves, by card or eCheck, from a payment link you send them (Invoice History › Copy payment link). Card and bank details go straight to the gateway; PayApp never sees them. Start it on a server with the command “payapp portal”, behind an https web server; the guide “Client portal” (docs/portal.md in PayApp&apos;s documentation) says how.</source>
        <translation>Das Kundenportal ist eine Webseite, auf der Ihre Kunden eine Rechnung selbst bezahlen, per Karte oder eCheck, über einen Zahlungslink, den Sie ihnen senden (Rechnungsverlauf › Zahlungslink kopieren). Karten- und Bankdaten gehen direkt an das Gateway; PayApp sieht sie nie. Starten Sie es auf einem Server mit dem Befehl „payapp portal“, hinter einem https-Webserver; wie, steht in der Anleitung „Client portal“ (docs/portal.md in der Dokumentation von PayApp).</translation>
    </message>
    <message>
        <source>The client portal is on</source>
        <translation>Das Kundenportal ist eingeschaltet</translation>
    </message>
    <message>
        <source>Off: links open a page that says the portal is closed, and no payment is taken there.</source>
        <translation>Aus: Links öffnen eine Seite, die sagt, dass das Portal geschlossen ist, und dort wird keine Zahlung angenommen.</translation>
    </message>
    <message>
        <source>Public address</source>
        <translation>Öffentliche Adresse</translation>
    </message>
    <message>
        <source>The address your clients open, as your web server serves the portal. Payment links start with it. http:// only for trying it on this computer (http://localhost or http://127.0.0.1).</source>
        <translation>Die Adresse, die Ihre Kunden öffnen, so wie Ihr Webserver das Portal bereitstellt. Zahlungslinks beginnen damit. http:// nur zum Ausprobieren auf diesem Computer (http://localhost oder http://127.0.0.1).</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Payment links work for</source>
        <translation>Zahlungslinks gelten</translation>
    </message>
    <message>
        <source>From 1 to %1 days. A link stops working by itself once the invoice is paid in full or voided; Revoke link stops it at once.</source>
        <translation>1 bis %1 Tage. Ein Link hört von selbst auf zu gelten, sobald die Rechnung vollständig bezahlt oder storniert ist; „Link widerrufen“ beendet ihn sofort.</translation>
    </message>
    <message>
        <source>Payment types in the client portal</source>
        <translation>Zahlungsarten im Kundenportal</translation>
    </message>
    <message>
        <source>Credit card</source>
        <translation>Kreditkarte</translation>
    </message>
    <message>
        <source>eCheck</source>
        <translation>eCheck</translation>
    </message>
    <message>
        <source>%1 in the client portal</source>
        <translation>%1 im Kundenportal</translation>
    </message>
    <message>
        <source>The same choice as the Client portal column of Admin › Payment Processing: changing it here changes it there.</source>
        <translation>Dieselbe Auswahl wie die Spalte Kundenportal unter Admin › Zahlungsabwicklung: Eine Änderung hier ändert sie auch dort.</translation>
    </message>
    <message>
        <source>Public address:</source>
        <translation>Öffentliche Adresse:</translation>
    </message>
    <message>
        <source>Payment links work for:</source>
        <translation>Zahlungslinks gelten:</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Put the saved settings back</source>
        <translation>Die gespeicherten Einstellungen wiederherstellen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>The address must start with https:// (http:// only for http://localhost or http://127.0.0.1, to try the portal on this computer).</source>
        <translation>Die Adresse muss mit https:// beginnen (http:// nur für http://localhost oder http://127.0.0.1, um das Portal auf diesem Computer auszuprobieren).</translation>
    </message>
    <message>
        <source>That is not a web address. Write it like https://pay.example.com.</source>
        <translation>Das ist keine Webadresse. Schreiben Sie sie wie https://pay.example.com.</translation>
    </message>
    <message>
        <source>Write the address without ?, # or a user name: like https://pay.example.com.</source>
        <translation>Schreiben Sie die Adresse ohne ?, # oder Benutzernamen: wie https://pay.example.com.</translation>
    </message>
    <message>
        <source>Enter the portal&apos;s address to turn it on: payment links start with it.</source>
        <translation>Geben Sie die Adresse des Portals ein, um es einzuschalten: Zahlungslinks beginnen damit.</translation>
    </message>
    <message>
        <source>Payment links look like: %1</source>
        <translation>Zahlungslinks sehen so aus: %1</translation>
    </message>
    <message>
        <source>Correct the address, then save again.</source>
        <translation>Korrigieren Sie die Adresse und speichern Sie dann erneut.</translation>
    </message>
    <message>
        <source>Correct the marked fields of the portal&apos;s look, then save again.</source>
        <translation>Korrigieren Sie die markierten Felder zum Aussehen des Portals und speichern Sie dann erneut.</translation>
    </message>
    <message>
        <source>Saved: the client portal is on at %1.</source>
        <translation>Gespeichert: Das Kundenportal ist unter %1 eingeschaltet.</translation>
    </message>
    <message>
        <source>Saved: the client portal is off.</source>
        <translation>Gespeichert: Das Kundenportal ist ausgeschaltet.</translation>
    </message>
</context>
<context>
    <name>ColumnChooser</name>
    <message>
        <source>Columns…</source>
        <translation>Spalten …</translation>
    </message>
    <message>
        <source>Reset columns</source>
        <translation>Spalten zurücksetzen</translation>
    </message>
</context>
<context>
    <name>ColumnsDialog</name>
    <message>
        <source>Columns</source>
        <translation>Spalten</translation>
    </message>
    <message>
        <source>Tick the columns to show. Space ticks or clears the selected one; at least one column stays.</source>
        <translation>Haken Sie die Spalten an, die angezeigt werden sollen. Die Leertaste setzt oder entfernt den Haken der ausgewählten Spalte; mindestens eine Spalte bleibt sichtbar.</translation>
    </message>
    <message>
        <source>Reset columns</source>
        <translation>Spalten zurücksetzen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>CompanyDetailsPage</name>
    <message>
        <source>That file is not a PNG image. Choose a .png file.</source>
        <translation>Diese Datei ist kein PNG-Bild. Wählen Sie eine .png-Datei.</translation>
    </message>
    <message>
        <source>Company details</source>
        <translation>Firmendaten</translation>
    </message>
    <message>
        <source>Your company as your clients see it: on receipts and on the client portal&apos;s pages.</source>
        <translation>Ihre Firma, wie Ihre Kunden sie sehen: auf Belegen und auf den Seiten des Kundenportals.</translation>
    </message>
    <message>
        <source>Company name</source>
        <translation>Firmenname</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>One line per row, as on a letter</source>
        <translation>Eine Zeile pro Zeile, wie auf einem Brief</translation>
    </message>
    <message>
        <source>Contact e-mail</source>
        <translation>Kontakt-E-Mail</translation>
    </message>
    <message>
        <source>Contact phone</source>
        <translation>Kontakttelefon</translation>
    </message>
    <message>
        <source>Logo preview</source>
        <translation>Logo-Vorschau</translation>
    </message>
    <message>
        <source>Choose PNG…</source>
        <translation>PNG wählen …</translation>
    </message>
    <message>
        <source>Choose a logo (PNG file)</source>
        <translation>Ein Logo wählen (PNG-Datei)</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove the logo</source>
        <translation>Das Logo entfernen</translation>
    </message>
    <message>
        <source>A PNG file of at most %1 KB; shown up to %2×%3 pixels.</source>
        <translation>Eine PNG-Datei von höchstens %1 KB; angezeigt mit bis zu %2×%3 Pixeln.</translation>
    </message>
    <message>
        <source>Company name:</source>
        <translation>Firmenname:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Contact e-mail:</source>
        <translation>Kontakt-E-Mail:</translation>
    </message>
    <message>
        <source>Contact phone:</source>
        <translation>Kontakttelefon:</translation>
    </message>
    <message>
        <source>Logo:</source>
        <translation>Logo:</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Put the saved details back</source>
        <translation>Die gespeicherten Daten wiederherstellen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Enter an e-mail address like billing@example.com.</source>
        <translation>Geben Sie eine E-Mail-Adresse wie billing@example.com ein.</translation>
    </message>
    <message>
        <source>A phone number has digits, spaces and + ( ) - . / only.</source>
        <translation>Eine Telefonnummer enthält nur Ziffern, Leerzeichen und + ( ) - . /.</translation>
    </message>
    <message>
        <source>Enter the whole phone number.</source>
        <translation>Geben Sie die ganze Telefonnummer ein.</translation>
    </message>
    <message>
        <source>Choose a logo</source>
        <translation>Ein Logo wählen</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>That file cannot be read.</source>
        <translation>Diese Datei kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The file is %1 KB; a logo can be at most %2 KB. Save it smaller (fewer pixels or colours) and choose it again.</source>
        <translation>Die Datei hat %1 KB; ein Logo darf höchstens %2 KB haben. Speichern Sie es kleiner (weniger Pixel oder Farben) und wählen Sie es erneut.</translation>
    </message>
    <message>
        <source>No logo</source>
        <translation>Kein Logo</translation>
    </message>
    <message>
        <source>The saved logo cannot be shown</source>
        <translation>Das gespeicherte Logo kann nicht angezeigt werden</translation>
    </message>
    <message>
        <source>Correct the fields marked in red, then save again.</source>
        <translation>Korrigieren Sie die rot markierten Felder und speichern Sie dann erneut.</translation>
    </message>
    <message>
        <source>Company details saved: receipts and the client portal show them.</source>
        <translation>Firmendaten gespeichert: Belege und das Kundenportal zeigen sie.</translation>
    </message>
</context>
<context>
    <name>ConnectionsPage</name>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Autotask (invoices, companies, contacts)</source>
        <translation>Autotask (Rechnungen, Firmen, Kontakte)</translation>
    </message>
    <message>
        <source>API user (an e-mail address)</source>
        <translation>API-Benutzer (eine E-Mail-Adresse)</translation>
    </message>
    <message>
        <source>The API user&apos;s secret</source>
        <translation>Das Geheimnis des API-Benutzers</translation>
    </message>
    <message>
        <source>Autotask secret</source>
        <translation>Autotask-Geheimnis</translation>
    </message>
    <message>
        <source>Integration code</source>
        <translation>Integrationscode</translation>
    </message>
    <message>
        <source>API tracking identifier (integration code)</source>
        <translation>API-Tracking-Kennung (Integrationscode)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>API user:</source>
        <translation>API-Benutzer:</translation>
    </message>
    <message>
        <source>Secret:</source>
        <translation>Geheimnis:</translation>
    </message>
    <message>
        <source>Integration code:</source>
        <translation>Integrationscode:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>QuickBooks Online (accounting)</source>
        <translation>QuickBooks Online (Buchhaltung)</translation>
    </message>
    <message>
        <source>Client id from the Intuit developer portal</source>
        <translation>Client-ID aus dem Intuit-Entwicklerportal</translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation>Client-Geheimnis</translation>
    </message>
    <message>
        <source>QuickBooks client secret</source>
        <translation>QuickBooks-Client-Geheimnis</translation>
    </message>
    <message>
        <source>Connect QuickBooks</source>
        <translation>QuickBooks verbinden</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>https page registered in your Intuit app (empty = development keys)</source>
        <translation>https-Seite, die in Ihrer Intuit-App registriert ist (leer = Entwicklungsschlüssel)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>After signing in: paste the address your browser shows (or the code)</source>
        <translation>Nach der Anmeldung: die Adresse einfügen, die Ihr Browser anzeigt (oder den Code)</translation>
    </message>
    <message>
        <source>Finish connecting</source>
        <translation>Verbindung abschließen</translation>
    </message>
    <message>
        <source>Load bank accounts</source>
        <translation>Bankkonten laden</translation>
    </message>
    <message>
        <source>Client id:</source>
        <translation>Client-ID:</translation>
    </message>
    <message>
        <source>Client secret:</source>
        <translation>Client-Geheimnis:</translation>
    </message>
    <message>
        <source>Redirect URI:</source>
        <translation>Weiterleitungs-URI:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Refunds paid from:</source>
        <translation>Erstattungen zahlen von:</translation>
    </message>
    <message>
        <source>Connected to {company}</source>
        <translation>Verbunden mit {company}</translation>
    </message>
    <message>
        <source>QuickBooks company (realm) id: {realm}</source>
        <translation>QuickBooks-Firmen-ID (Realm): {realm}</translation>
    </message>
    <message>
        <source>Connected to company {realm}</source>
        <translation>Verbunden mit Firma {realm}</translation>
    </message>
    <message>
        <source>Connected on another workstation: click Connect QuickBooks to sign in here too.</source>
        <translation>An einem anderen Arbeitsplatz verbunden: Klicken Sie auf „QuickBooks verbinden“, um sich auch hier anzumelden.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Register exactly this address as a redirect URI of your Intuit app. After signing in, paste the address your browser lands on below.</source>
        <translation>Registrieren Sie genau diese Adresse als Weiterleitungs-URI Ihrer Intuit-App. Fügen Sie nach der Anmeldung unten die Adresse ein, auf der Ihr Browser landet.</translation>
    </message>
    <message>
        <source>Development keys: register {uri} as a redirect URI of your Intuit app. Production keys need an https page: enter it above.</source>
        <translation>Entwicklungsschlüssel: Registrieren Sie {uri} als Weiterleitungs-URI Ihrer Intuit-App. Produktionsschlüssel brauchen eine https-Seite: Geben Sie sie oben ein.</translation>
    </message>
    <message>
        <source>Not chosen: refunds wait until you choose</source>
        <translation>Nicht gewählt: Erstattungen warten, bis Sie eines wählen</translation>
    </message>
    <message>
        <source>Autotask settings saved</source>
        <translation>Autotask-Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>Asking Autotask…</source>
        <translation>Frage Autotask …</translation>
    </message>
    <message>
        <source>Clear Autotask</source>
        <translation>Autotask löschen</translation>
    </message>
    <message>
        <source>Remove the Autotask secret and integration code?</source>
        <translation>Autotask-Geheimnis und Integrationscode entfernen?</translation>
    </message>
    <message>
        <source>Syncing stops until they are entered again.</source>
        <translation>Der Abgleich ruht, bis sie erneut eingegeben werden.</translation>
    </message>
    <message>
        <source>Autotask credentials cleared</source>
        <translation>Autotask-Zugangsdaten gelöscht</translation>
    </message>
    <message>
        <source>QuickBooks app settings saved</source>
        <translation>QuickBooks-App-Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>QuickBooks did not answer within five minutes: click Connect QuickBooks to try again.</source>
        <translation>QuickBooks hat nicht innerhalb von fünf Minuten geantwortet: Klicken Sie erneut auf „QuickBooks verbinden“.</translation>
    </message>
    <message>
        <source>PayApp cannot receive the QuickBooks sign-in on {uri}: another program uses that port. Close it and try again.</source>
        <translation>PayApp kann die QuickBooks-Anmeldung unter {uri} nicht empfangen: Ein anderes Programm verwendet diesen Port. Schließen Sie es und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>QuickBooks connected</source>
        <translation>QuickBooks verbunden</translation>
    </message>
    <message>
        <source>Sign in to QuickBooks in your browser, then paste the address it lands on below and click Finish connecting.</source>
        <translation>Melden Sie sich im Browser bei QuickBooks an, fügen Sie dann unten die Adresse ein, auf der er landet, und klicken Sie auf „Verbindung abschließen“.</translation>
    </message>
    <message>
        <source>Redirect URI copied</source>
        <translation>Weiterleitungs-URI kopiert</translation>
    </message>
    <message>
        <source>QuickBooks has no bank account: add one there first</source>
        <translation>QuickBooks hat kein Bankkonto: Legen Sie dort zuerst eines an</translation>
    </message>
    <message>
        <source>Choose the bank account refunds are paid from</source>
        <translation>Bankkonto wählen, von dem Erstattungen gezahlt werden</translation>
    </message>
    <message>
        <source>Refunds are paid from {account}</source>
        <translation>Erstattungen werden von {account} gezahlt</translation>
    </message>
    <message>
        <source>Waiting for you to sign in to QuickBooks in your browser…</source>
        <translation>Warte auf Ihre Anmeldung bei QuickBooks im Browser …</translation>
    </message>
    <message>
        <source>Asking QuickBooks…</source>
        <translation>Frage QuickBooks …</translation>
    </message>
    <message>
        <source>Disconnect QuickBooks</source>
        <translation>QuickBooks trennen</translation>
    </message>
    <message>
        <source>Disconnect QuickBooks?</source>
        <translation>QuickBooks trennen?</translation>
    </message>
    <message>
        <source>Payments wait in the outbox until QuickBooks is connected again.</source>
        <translation>Zahlungen warten im Postausgang, bis QuickBooks wieder verbunden ist.</translation>
    </message>
    <message>
        <source>QuickBooks disconnected</source>
        <translation>QuickBooks getrennt</translation>
    </message>
</context>
<context>
    <name>EmailLinksDialog</name>
    <message>
        <source>E-mail payment link</source>
        <translation>Zahlungslink per E-Mail</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>Zahlungserinnerung</translation>
    </message>
    <message>
        <source>Credit note</source>
        <translation>Gutschrift</translation>
    </message>
    <message>
        <source>Language of the e-mail</source>
        <translation>Sprache der E-Mail</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>Template:</source>
        <translation>Vorlage:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Invoices and recipients</source>
        <translation>Rechnungen und Empfänger</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Preview of the e-mail</source>
        <translation>Vorschau der E-Mail</translation>
    </message>
    <message>
        <source>Each e-mail gets a new payment link when it is sent (“…” in the preview).</source>
        <translation>Jede E-Mail erhält beim Senden einen neuen Zahlungslink („…“ in der Vorschau).</translation>
    </message>
    <message>
        <source>Sending progress</source>
        <translation>Fortschritt des Sendens</translation>
    </message>
    <message>
        <source>%v of %m sent</source>
        <translation>%v von %m gesendet</translation>
    </message>
    <message>
        <source>E-mails that were not sent</source>
        <translation>E-Mails, die nicht gesendet wurden</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Fehlgeschlagene erneut senden</translation>
    </message>
    <message>
        <source>Send the e-mails that failed again</source>
        <translation>Die fehlgeschlagenen E-Mails noch einmal senden</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vorschau:</translation>
    </message>
    <message>
        <source>Recipient of invoice %1</source>
        <translation>Empfänger der Rechnung %1</translation>
    </message>
    <message>
        <source>no contact with an e-mail address: type one</source>
        <translation>kein Kontakt mit E-Mail-Adresse: Adresse eingeben</translation>
    </message>
    <message>
        <source>E-mail payment links (%1 invoices)</source>
        <translation>Zahlungslinks per E-Mail (%1 Rechnungen)</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Wird gesendet …</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>the template has placeholders it does not know: %1</source>
        <translation>die Vorlage enthält unbekannte Platzhalter: %1</translation>
    </message>
    <message>
        <source>no value for %1 on this invoice</source>
        <translation>kein Wert für %1 bei dieser Rechnung</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Betreff: %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop after the e-mail being sent now</source>
        <translation>Nach der E-Mail anhalten, die gerade gesendet wird</translation>
    </message>
    <message>
        <source>%1 to %2: %3</source>
        <translation>%1 an %2: %3</translation>
    </message>
    <message>
        <source>%1 of %2 e-mails sent.</source>
        <translation>%1 von %2 E-Mails gesendet.</translation>
    </message>
    <message>
        <source>The ones not sent are listed below; correct them and retry.</source>
        <translation>Die nicht gesendeten stehen unten; korrigieren Sie sie und senden Sie erneut.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>Stopping after the e-mail being sent now…</source>
        <translation>Anhalten nach der E-Mail, die gerade gesendet wird …</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Something went wrong and was written to the log. Nothing was charged twice: payments in progress are checked with the gateway when PayApp starts again.</source>
        <translation>Etwas ist schiefgelaufen und wurde protokolliert. Nichts wurde doppelt belastet: Laufende Zahlungen werden beim nächsten Start von PayApp mit dem Gateway abgeglichen.</translation>
    </message>
</context>
<context>
    <name>InvoiceHistoryTab</name>
    <message>
        <source>Invoices</source>
        <translation>Rechnungen</translation>
    </message>
    <message>
        <source>Search invoice no., company or QuickBooks no. (Ctrl+F)</source>
        <translation>Rechnungsnr., Firma oder QuickBooks-Nr. suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Search invoices</source>
        <translation>Rechnungen suchen</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <source>All unpaid</source>
        <translation>Alle unbezahlten</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Invoice date</source>
        <translation>Rechnungsdatum</translation>
    </message>
    <message>
        <source>Invoice date from</source>
        <translation>Rechnungsdatum von</translation>
    </message>
    <message>
        <source>Invoice date to</source>
        <translation>Rechnungsdatum bis</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Zähle …</translation>
    </message>
    <message numerus="yes">
        <source>%1 invoice(s) · balance %2</source>
        <translation>
            <numerusform>%1 Rechnung · offen %2</numerusform>
            <numerusform>%1 Rechnungen · offen %2</numerusform>
        </translation>
    </message>
    <message>
        <source>No invoice matches these filters.
Clear the search box, choose “Any status” or widen the date range.</source>
        <translation>Keine Rechnung passt zu diesen Filtern.
Leeren Sie das Suchfeld, wählen Sie „Jeder Status“ oder erweitern Sie den Zeitraum.</translation>
    </message>
    <message>
        <source>No invoices yet.
Invoices arrive from Autotask: an admin connects Autotask and runs a sync in Admin.</source>
        <translation>Noch keine Rechnungen.
Rechnungen kommen aus Autotask: Ein Administrator verbindet Autotask und startet unter Verwaltung einen Abgleich.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Receive payment…</source>
        <translation>Zahlung erfassen …</translation>
    </message>
    <message>
        <source>Saved payment methods…</source>
        <translation>Gespeicherte Zahlungsmittel …</translation>
    </message>
    <message>
        <source>The cards and bank accounts saved for %1</source>
        <translation>Die für %1 gespeicherten Karten und Bankkonten</translation>
    </message>
    <message>
        <source>Your role cannot send payment links.</source>
        <translation>Ihre Rolle kann keine Zahlungslinks senden.</translation>
    </message>
    <message>
        <source>Invoice %1 is voided: there is nothing to pay.</source>
        <translation>Rechnung %1 ist storniert: Es gibt nichts zu bezahlen.</translation>
    </message>
    <message>
        <source>Invoice %1 is paid in full: there is nothing to pay.</source>
        <translation>Rechnung %1 ist vollständig bezahlt: Es gibt nichts zu bezahlen.</translation>
    </message>
    <message>
        <source>Copy payment link</source>
        <translation>Zahlungslink kopieren</translation>
    </message>
    <message>
        <source>Copy a link to this invoice in the client portal, to send to the client</source>
        <translation>Einen Link zu dieser Rechnung im Kundenportal kopieren, um ihn dem Kunden zu senden</translation>
    </message>
    <message>
        <source>Revoke payment link…</source>
        <translation>Zahlungslink widerrufen …</translation>
    </message>
    <message>
        <source>No payment link of this invoice works now.</source>
        <translation>Derzeit gilt kein Zahlungslink dieser Rechnung.</translation>
    </message>
    <message>
        <source>E-mail payment link…</source>
        <translation>Zahlungslink per E-Mail …</translation>
    </message>
    <message>
        <source>E-mail payment links (%1 invoices)…</source>
        <translation>Zahlungslinks per E-Mail (%1 Rechnungen) …</translation>
    </message>
    <message>
        <source>E-mail the client a link to pay in the client portal</source>
        <translation>Dem Kunden einen Link zum Bezahlen im Kundenportal mailen</translation>
    </message>
    <message>
        <source>Select one or more invoices first (Ctrl+click selects several).</source>
        <translation>Wählen Sie zuerst eine oder mehrere Rechnungen aus (Strg+Klick wählt mehrere).</translation>
    </message>
    <message>
        <source>Select an invoice in the list first, then press %1 to copy its payment link.</source>
        <translation>Wählen Sie zuerst eine Rechnung in der Liste und drücken Sie dann %1, um ihren Zahlungslink zu kopieren.</translation>
    </message>
    <message>
        <source>Payment link of invoice %1 copied: paste it into your message to the client. It works until %2.</source>
        <translation>Zahlungslink der Rechnung %1 kopiert: Fügen Sie ihn in Ihre Nachricht an den Kunden ein. Er gilt bis %2.</translation>
    </message>
    <message>
        <source>The client portal&apos;s address is not set yet, so there is no link to copy.</source>
        <translation>Die Adresse des Kundenportals ist noch nicht festgelegt, daher gibt es keinen Link zum Kopieren.</translation>
    </message>
    <message>
        <source>Set it in Admin › Client Portal.</source>
        <translation>Legen Sie sie unter Admin › Kundenportal fest.</translation>
    </message>
    <message>
        <source>Open Admin › Client Portal</source>
        <translation>Admin › Kundenportal öffnen</translation>
    </message>
    <message>
        <source>Ask an admin to set it in Admin › Client Portal.</source>
        <translation>Bitten Sie einen Admin, sie unter Admin › Kundenportal festzulegen.</translation>
    </message>
    <message>
        <source>Revoke payment link</source>
        <translation>Zahlungslink widerrufen</translation>
    </message>
    <message>
        <source>Revoke the payment links of invoice %1?</source>
        <translation>Die Zahlungslinks der Rechnung %1 widerrufen?</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>A client who opens a link of this invoice is told it no longer works. You can copy a new link afterwards.</source>
        <translation>Ein Kunde, der einen Link dieser Rechnung öffnet, erfährt, dass er nicht mehr gilt. Sie können danach einen neuen Link kopieren.</translation>
    </message>
    <message>
        <source>Your role cannot revoke payment links.</source>
        <translation>Ihre Rolle kann keine Zahlungslinks widerrufen.</translation>
    </message>
    <message numerus="yes">
        <source>Revoked %n payment link(s) of invoice %1.</source>
        <translation>
            <numerusform>%n Zahlungslink der Rechnung %1 widerrufen.</numerusform>
            <numerusform>%n Zahlungslinks der Rechnung %1 widerrufen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Invoice %1 had no payment link that still works.</source>
        <translation>Rechnung %1 hatte keinen Zahlungslink, der noch gilt.</translation>
    </message>
    <message>
        <source>Select an invoice in the list first, then press Ctrl+P to receive a payment.</source>
        <translation>Wählen Sie zuerst eine Rechnung in der Liste aus und drücken Sie dann Strg+P, um eine Zahlung zu erfassen.</translation>
    </message>
    <message>
        <source>View invoice</source>
        <translation>Rechnung anzeigen</translation>
    </message>
    <message>
        <source>Copy invoice number</source>
        <translation>Rechnungsnummer kopieren</translation>
    </message>
</context>
<context>
    <name>InvoiceTable</name>
    <message>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <source>Partially paid</source>
        <translation>Teilweise bezahlt</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Bezahlt</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Überfällig</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Synchronisiert</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 · eCheck pending settlement</source>
        <translation>%1 · eCheck-Abrechnung ausstehend</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>QuickBooks no.</source>
        <translation>QuickBooks-Nr.</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Invoice date</source>
        <translation>Rechnungsdatum</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Fälligkeit</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>Offener Betrag</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>The invoices could not be read from the database.</source>
        <translation>Die Rechnungen konnten nicht aus der Datenbank gelesen werden.</translation>
    </message>
</context>
<context>
    <name>InvoiceView</name>
    <message>
        <source>Approved</source>
        <translation>Genehmigt</translation>
    </message>
    <message>
        <source>Settled</source>
        <translation>Abgerechnet</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Being checked</source>
        <translation>Wird geprüft</translation>
    </message>
    <message>
        <source>Not charged</source>
        <translation>Nicht belastet</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Erstattet</translation>
    </message>
    <message>
        <source>Partly refunded</source>
        <translation>Teilweise erstattet</translation>
    </message>
    <message>
        <source>Returned by bank</source>
        <translation>Von der Bank zurückgegeben</translation>
    </message>
    <message>
        <source>Pending settlement</source>
        <translation>Abrechnung ausstehend</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Einzelpreis</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>Vertrag</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Payment history</source>
        <translation>Zahlungsverlauf</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Zahlungsmittel</translation>
    </message>
    <message>
        <source>Transaction</source>
        <translation>Transaktion</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>No payments on this invoice yet.</source>
        <translation>Noch keine Zahlungen auf diese Rechnung.</translation>
    </message>
    <message>
        <source>Copy payment link</source>
        <translation>Zahlungslink kopieren</translation>
    </message>
    <message>
        <source>Copy a link to this invoice in the client portal, to send to the client (Ctrl+Shift+L)</source>
        <translation>Einen Link zu dieser Rechnung im Kundenportal kopieren, um ihn dem Kunden zu senden (Strg+Umschalt+L)</translation>
    </message>
    <message>
        <source>Revoke link…</source>
        <translation>Link widerrufen …</translation>
    </message>
    <message>
        <source>Receive payment…</source>
        <translation>Zahlung erfassen …</translation>
    </message>
    <message>
        <source>Receive a payment on this invoice (Ctrl+P)</source>
        <translation>Eine Zahlung zu dieser Rechnung erfassen (Strg+P)</translation>
    </message>
    <message>
        <source>Saved payment methods…</source>
        <translation>Gespeicherte Zahlungsmittel …</translation>
    </message>
    <message>
        <source>The cards and bank accounts saved for this company</source>
        <translation>Die für diese Firma gespeicherten Karten und Bankkonten</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Voided: no payment link can be sent.</source>
        <translation>Storniert: Es kann kein Zahlungslink gesendet werden.</translation>
    </message>
    <message>
        <source>Paid in full: no payment link can be sent.</source>
        <translation>Vollständig bezahlt: Es kann kein Zahlungslink gesendet werden.</translation>
    </message>
    <message numerus="yes">
        <source>%n working payment link(s), until %1.</source>
        <translation>
            <numerusform>%n gültiger Zahlungslink, bis %1.</numerusform>
            <numerusform>%n gültige Zahlungslinks, bis %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>No payment link of this invoice works now.</source>
        <translation>Derzeit gilt kein Zahlungslink dieser Rechnung.</translation>
    </message>
    <message>
        <source>Invoice %1 · %2</source>
        <translation>Rechnung %1 · %2</translation>
    </message>
    <message>
        <source>Invoice %1</source>
        <translation>Rechnung %1</translation>
    </message>
    <message>
        <source>Company:</source>
        <translation>Firma:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Invoice date:</source>
        <translation>Rechnungsdatum:</translation>
    </message>
    <message>
        <source>Due date:</source>
        <translation>Fällig am:</translation>
    </message>
    <message>
        <source>Terms:</source>
        <translation>Zahlungsbedingungen:</translation>
    </message>
    <message>
        <source>Contract:</source>
        <translation>Vertrag:</translation>
    </message>
    <message>
        <source>Tickets:</source>
        <translation>Tickets:</translation>
    </message>
    <message>
        <source>Total:</source>
        <translation>Gesamt:</translation>
    </message>
    <message>
        <source>of which tax:</source>
        <translation>davon Steuer:</translation>
    </message>
    <message>
        <source>Paid:</source>
        <translation>Bezahlt:</translation>
    </message>
    <message>
        <source>Balance:</source>
        <translation>Offen:</translation>
    </message>
    <message>
        <source>Sync:</source>
        <translation>Abgleich:</translation>
    </message>
    <message>
        <source>(%1 refunded)</source>
        <translation>(%1 erstattet)</translation>
    </message>
</context>
<context>
    <name>LanguagePage</name>
    <message>
        <source>Follow the operating system</source>
        <translation>Wie das Betriebssystem</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>For every workstation of this company, from PayApp&apos;s next start. A workstation started with --language keeps that language.</source>
        <translation>Für jeden Arbeitsplatz dieser Firma, ab dem nächsten Start von PayApp. Ein mit --language gestarteter Arbeitsplatz behält diese Sprache.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Saved: PayApp speaks %1 from its next start.</source>
        <translation>Gespeichert: PayApp spricht ab dem nächsten Start %1.</translation>
    </message>
    <message>
        <source>Saved: PayApp follows the operating system&apos;s language from its next start.</source>
        <translation>Gespeichert: PayApp folgt ab dem nächsten Start der Sprache des Betriebssystems.</translation>
    </message>
</context>
<context>
    <name>MailSettingsBox</name>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>The mail server PayApp sends payment links and receipts through, as your e-mail provider names it (for example smtp.office365.com, port 587, STARTTLS). The password is kept in this computer&apos;s keyring; on the portal&apos;s server, in its secrets file as “mail.smtp_password”.</source>
        <translation>Der Mailserver, über den PayApp Zahlungslinks und Quittungen versendet, so wie Ihr E-Mail-Anbieter ihn nennt (zum Beispiel smtp.office365.com, Port 587, STARTTLS). Das Passwort liegt im Schlüsselbund dieses Computers; auf dem Server des Portals in dessen Geheimnisdatei als „mail.smtp_password“.</translation>
    </message>
    <message>
        <source>Mail server</source>
        <translation>Mailserver</translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation>Verschlüsselung</translation>
    </message>
    <message>
        <source>STARTTLS (usually port 587)</source>
        <translation>STARTTLS (meist Port 587)</translation>
    </message>
    <message>
        <source>TLS (usually port 465)</source>
        <translation>TLS (meist Port 465)</translation>
    </message>
    <message>
        <source>None — not encrypted (only inside your network)</source>
        <translation>Keine — unverschlüsselt (nur im eigenen Netz)</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>empty: the server takes mail without a sign-in</source>
        <translation>leer: Der Server nimmt E-Mails ohne Anmeldung an</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Keep the saved password (Esc)</source>
        <translation>Gespeichertes Passwort behalten (Esc)</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Forget the saved password when you save</source>
        <translation>Das gespeicherte Passwort beim Speichern löschen</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>Absenderadresse</translation>
    </message>
    <message>
        <source>Your clients see it as the sender, beside your company&apos;s name. Most servers only send from an address of the signed-in user.</source>
        <translation>Ihre Kunden sehen sie als Absender, neben dem Namen Ihrer Firma. Die meisten Server senden nur von einer Adresse des angemeldeten Benutzers.</translation>
    </message>
    <message>
        <source>Mail server:</source>
        <translation>Mailserver:</translation>
    </message>
    <message>
        <source>Encryption:</source>
        <translation>Verschlüsselung:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Sender address:</source>
        <translation>Absenderadresse:</translation>
    </message>
    <message>
        <source>Save e-mail settings</source>
        <translation>E-Mail-Einstellungen speichern</translation>
    </message>
    <message>
        <source>send the test to…</source>
        <translation>Test senden an …</translation>
    </message>
    <message>
        <source>Test e-mail recipient</source>
        <translation>Empfänger der Test-E-Mail</translation>
    </message>
    <message>
        <source>Send test e-mail</source>
        <translation>Test-E-Mail senden</translation>
    </message>
    <message>
        <source>Sends a short message with the saved settings</source>
        <translation>Sendet eine kurze Nachricht mit den gespeicherten Einstellungen</translation>
    </message>
    <message>
        <source>Saved · fingerprint %1 — not on this computer</source>
        <translation>Gespeichert · Fingerabdruck %1 — nicht auf diesem Computer</translation>
    </message>
    <message>
        <source>Saved · fingerprint %1</source>
        <translation>Gespeichert · Fingerabdruck %1</translation>
    </message>
    <message>
        <source>The saved password is removed when you save</source>
        <translation>Das gespeicherte Passwort wird beim Speichern entfernt</translation>
    </message>
    <message>
        <source>E-mail settings saved. Send a test e-mail to check them.</source>
        <translation>E-Mail-Einstellungen gespeichert. Senden Sie eine Test-E-Mail, um sie zu prüfen.</translation>
    </message>
    <message>
        <source>Sending a test e-mail to %1…</source>
        <translation>Test-E-Mail an %1 wird gesendet …</translation>
    </message>
    <message>
        <source>The mail server accepted the test e-mail to %1.</source>
        <translation>Der Mailserver hat die Test-E-Mail an %1 angenommen.</translation>
    </message>
</context>
<context>
    <name>MailTemplatesBox</name>
    <message>
        <source>E-mail templates</source>
        <translation>E-Mail-Vorlagen</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>Zahlungserinnerung</translation>
    </message>
    <message>
        <source>Credit note</source>
        <translation>Gutschrift</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Betreff</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Insert a placeholder</source>
        <translation>Platzhalter einfügen</translation>
    </message>
    <message>
        <source>Placeholders in square brackets are filled in for each invoice. One the template does not know, or one without a value on an invoice, is shown before sending and stops that e-mail.</source>
        <translation>Platzhalter in eckigen Klammern werden für jede Rechnung ausgefüllt. Ein unbekannter Platzhalter oder einer ohne Wert bei einer Rechnung wird vor dem Senden angezeigt und hält diese E-Mail an.</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Betreff:</translation>
    </message>
    <message>
        <source>Text:</source>
        <translation>Text:</translation>
    </message>
    <message>
        <source>Insert:</source>
        <translation>Einfügen:</translation>
    </message>
    <message>
        <source>Preview with a real invoice</source>
        <translation>Vorschau mit einer echten Rechnung</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Fill the template with the newest open invoice&apos;s values</source>
        <translation>Die Vorlage mit den Werten der neuesten offenen Rechnung füllen</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>Auf Standard zurücksetzen</translation>
    </message>
    <message>
        <source>Save template</source>
        <translation>Vorlage speichern</translation>
    </message>
    <message>
        <source>Choose a placeholder…</source>
        <translation>Platzhalter wählen …</translation>
    </message>
    <message>
        <source>Template saved.</source>
        <translation>Vorlage gespeichert.</translation>
    </message>
    <message>
        <source>The default template is back.</source>
        <translation>Die Standardvorlage ist wiederhergestellt.</translation>
    </message>
    <message>
        <source>There is no open invoice with a contact&apos;s e-mail address to preview with.</source>
        <translation>Es gibt keine offene Rechnung mit der E-Mail-Adresse eines Kontakts für die Vorschau.</translation>
    </message>
    <message>
        <source>Invoice %1 of %2, to %3:</source>
        <translation>Rechnung %1 von %2, an %3:</translation>
    </message>
    <message>
        <source>Not filled in: %1 (unknown, or no value on this invoice).</source>
        <translation>Nicht ausgefüllt: %1 (unbekannt oder ohne Wert bei dieser Rechnung).</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Admin</source>
        <translation>Verwaltung</translation>
    </message>
    <message>
        <source>Invoice History</source>
        <translation>Rechnungsverlauf</translation>
    </message>
    <message>
        <source>Payment Search</source>
        <translation>Zahlungssuche</translation>
    </message>
    <message>
        <source>Demo company</source>
        <translation>Demofirma</translation>
    </message>
    <message>
        <source>Demo company (sandbox: no real money moves)</source>
        <translation>Demofirma (Sandbox: es fließt kein echtes Geld)</translation>
    </message>
    <message>
        <source>Receive payment</source>
        <translation>Zahlung erfassen</translation>
    </message>
    <message>
        <source>Receive a payment on the invoice selected in Invoice History (Ctrl+P)</source>
        <translation>Eine Zahlung zu der im Rechnungsverlauf ausgewählten Rechnung erfassen (Strg+P)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Sign &amp;out…</source>
        <translation>&amp;Abmelden …</translation>
    </message>
    <message>
        <source>Sign out and sign in again, as yourself or as another user</source>
        <translation>Abmelden und erneut anmelden, als Sie selbst oder als anderer Benutzer</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Columns…</source>
        <translation>&amp;Spalten …</translation>
    </message>
    <message>
        <source>Choose the columns the current list shows</source>
        <translation>Die Spalten wählen, die die aktuelle Liste zeigt</translation>
    </message>
    <message>
        <source>Follow system colours</source>
        <translation>Systemfarben folgen</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About PayApp</source>
        <translation>Ü&amp;ber PayApp</translation>
    </message>
    <message>
        <source>Close the open windows first (%1), then sign out.</source>
        <translation>Schließen Sie zuerst die offenen Fenster (%1), dann melden Sie sich ab.</translation>
    </message>
    <message>
        <source>Sandbox connectors</source>
        <translation>Sandbox-Anbindungen</translation>
    </message>
</context>
<context>
    <name>PayRule</name>
    <message>
        <source>Your role may not take payments. Ask a Finance user or an admin.</source>
        <translation>Ihre Rolle darf keine Zahlungen annehmen. Bitten Sie einen Finance-Benutzer oder einen Admin.</translation>
    </message>
    <message>
        <source>This invoice was voided; it cannot be paid.</source>
        <translation>Diese Rechnung wurde storniert und kann nicht bezahlt werden.</translation>
    </message>
    <message>
        <source>This invoice has nothing left to pay.</source>
        <translation>Auf dieser Rechnung ist nichts mehr offen.</translation>
    </message>
    <message>
        <source>Checking whether payment processing is set up…</source>
        <translation>Es wird geprüft, ob die Zahlungsabwicklung eingerichtet ist …</translation>
    </message>
    <message>
        <source>No payment type is enabled for the back office: enable one in Admin.</source>
        <translation>Für das Backoffice ist keine Zahlungsart aktiviert: Aktivieren Sie eine unter Admin.</translation>
    </message>
</context>
<context>
    <name>PaymentActions</name>
    <message>
        <source>Details…</source>
        <translation>Details …</translation>
    </message>
    <message>
        <source>Void / Refund…</source>
        <translation>Stornieren / Erstatten …</translation>
    </message>
    <message>
        <source>Retry sync</source>
        <translation>Abgleich wiederholen</translation>
    </message>
    <message>
        <source>Save receipt as PDF…</source>
        <translation>Beleg als PDF speichern …</translation>
    </message>
    <message>
        <source>E-mail receipt…</source>
        <translation>Beleg per E-Mail …</translation>
    </message>
    <message>
        <source>Pending approvals…</source>
        <translation>Offene Freigaben …</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren …</translation>
    </message>
    <message>
        <source>Export Excel…</source>
        <translation>Excel exportieren …</translation>
    </message>
    <message>
        <source>Settle now (demo)</source>
        <translation>Jetzt abrechnen (Demo)</translation>
    </message>
    <message>
        <source>The demo gateway settles every day at its cut-off. This settles its pending payments now, so you can try a refund.</source>
        <translation>Das Demo-Gateway rechnet täglich zum Stichzeitpunkt ab. Hiermit werden seine offenen Zahlungen sofort abgerechnet, damit Sie eine Erstattung ausprobieren können.</translation>
    </message>
    <message>
        <source>Cancel export</source>
        <translation>Export abbrechen</translation>
    </message>
    <message>
        <source>This payment cannot be voided or refunded.</source>
        <translation>Diese Zahlung kann weder storniert noch erstattet werden.</translation>
    </message>
    <message>
        <source>Void this payment?</source>
        <translation>Diese Zahlung stornieren?</translation>
    </message>
    <message>
        <source>Void %1</source>
        <translation>%1 stornieren</translation>
    </message>
    <message>
        <source>Void %1 on invoice %2 of %3?</source>
        <translation>%1 auf Rechnung %2 von %3 stornieren?</translation>
    </message>
    <message>
        <source>The charge is cancelled before it settles; the invoice balance goes back up by %1 and QuickBooks is corrected. Autotask keeps the invoice as it is.</source>
        <translation>Die Belastung wird vor der Abrechnung aufgehoben; der offene Rechnungsbetrag steigt wieder um %1, und QuickBooks wird korrigiert. In Autotask bleibt die Rechnung unverändert.</translation>
    </message>
    <message>
        <source>Refund this payment?</source>
        <translation>Diese Zahlung erstatten?</translation>
    </message>
    <message>
        <source>Refund %1</source>
        <translation>%1 erstatten</translation>
    </message>
    <message>
        <source>Refund %1 of %2 on invoice %3 of %4?</source>
        <translation>%1 von %2 auf Rechnung %3 von %4 erstatten?</translation>
    </message>
    <message>
        <source>%1 goes back to the customer&apos;s %2 and the invoice is re-opened: its balance goes back up by %1 and the payment is voided in QuickBooks. Autotask keeps its paid date.</source>
        <translation>%1 geht zurück auf %2 des Kunden, und die Rechnung wird wieder geöffnet: Ihr offener Betrag steigt um %1, und die Zahlung wird in QuickBooks storniert. Autotask behält sein Bezahldatum.</translation>
    </message>
    <message>
        <source>account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>%1 goes back to the customer&apos;s %2; the invoice stays paid and QuickBooks gets a refund receipt. Autotask keeps the invoice as it is.</source>
        <translation>%1 geht zurück auf %2 des Kunden; die Rechnung bleibt bezahlt, und QuickBooks erhält einen Erstattungsbeleg. Autotask lässt die Rechnung, wie sie ist.</translation>
    </message>
    <message>
        <source>Ask for approval</source>
        <translation>Freigabe anfordern</translation>
    </message>
    <message>
        <source>This amount needs another user&apos;s approval: nothing is sent until they approve it under Pending approvals.</source>
        <translation>Dieser Betrag muss von einem anderen Benutzer freigegeben werden: Es wird nichts gesendet, bis er unter „Offene Freigaben“ zustimmt.</translation>
    </message>
    <message>
        <source>Refund of %1 is waiting for another user&apos;s approval.</source>
        <translation>Die Erstattung von %1 wartet auf die Freigabe durch einen anderen Benutzer.</translation>
    </message>
    <message>
        <source>Sync will be tried again now (%1 job(s) queued).</source>
        <translation>Der Abgleich wird jetzt erneut versucht (%1 Auftrag/Aufträge in der Warteschlange).</translation>
    </message>
    <message numerus="yes">
        <source>The demo gateway ran its daily settlement now (%n payment(s) settled).</source>
        <translation>
            <numerusform>Das Demo-Gateway hat seine tägliche Abrechnung jetzt ausgeführt (%n Zahlung abgerechnet).</numerusform>
            <numerusform>Das Demo-Gateway hat seine tägliche Abrechnung jetzt ausgeführt (%n Zahlungen abgerechnet).</numerusform>
        </translation>
    </message>
    <message>
        <source>Save receipt as PDF</source>
        <translation>Beleg als PDF speichern</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>The receipt could not be saved (%1).</source>
        <translation>Der Beleg konnte nicht gespeichert werden (%1).</translation>
    </message>
    <message>
        <source>Receipt saved to %1.</source>
        <translation>Beleg unter %1 gespeichert.</translation>
    </message>
    <message>
        <source>Nothing was printed: choose a printer, or a file name for the PDF.</source>
        <translation>Es wurde nichts gedruckt: Wählen Sie einen Drucker oder einen Dateinamen für das PDF.</translation>
    </message>
    <message>
        <source>The receipt could not be printed. Check the printer and try again.</source>
        <translation>Der Beleg konnte nicht gedruckt werden. Prüfen Sie den Drucker und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Receipt sent to the printer.</source>
        <translation>Beleg an den Drucker gesendet.</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel-Arbeitsmappe (*.xlsx)</translation>
    </message>
    <message>
        <source>Export payments</source>
        <translation>Zahlungen exportieren</translation>
    </message>
    <message>
        <source>Exporting %v of %m</source>
        <translation>Exportiere %v von %m</translation>
    </message>
    <message>
        <source>Export cancelled; no file was written.</source>
        <translation>Export abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <source>The export could not be written (%1).</source>
        <translation>Der Export konnte nicht geschrieben werden (%1).</translation>
    </message>
    <message>
        <source>Exported %1 payments to %2.</source>
        <translation>%1 Zahlungen nach %2 exportiert.</translation>
    </message>
    <message>
        <source>Approve refund?</source>
        <translation>Erstattung freigeben?</translation>
    </message>
    <message>
        <source>Send the refund of %1 on invoice %2 of %3 to the gateway?</source>
        <translation>Die Erstattung von %1 auf Rechnung %2 von %3 an das Gateway senden?</translation>
    </message>
    <message>
        <source>Approve and refund %1</source>
        <translation>Freigeben und %1 erstatten</translation>
    </message>
    <message>
        <source>Requested by %1. The money goes back to the customer and the invoice balance goes back up.</source>
        <translation>Angefordert von %1. Das Geld geht an den Kunden zurück und der offene Rechnungsbetrag steigt wieder.</translation>
    </message>
    <message>
        <source>Request rejected; nothing was refunded.</source>
        <translation>Anfrage abgelehnt; es wurde nichts erstattet.</translation>
    </message>
</context>
<context>
    <name>PaymentDetailsDialog</name>
    <message>
        <source>Payment %1</source>
        <translation>Zahlung %1</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Zahlungsmittel</translation>
    </message>
    <message>
        <source>expires %1</source>
        <translation>gültig bis %1</translation>
    </message>
    <message>
        <source>Sale amount</source>
        <translation>Verkaufsbetrag</translation>
    </message>
    <message>
        <source>Applied to invoice</source>
        <translation>Auf Rechnung verbucht</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Erstattet</translation>
    </message>
    <message>
        <source>Can still be refunded</source>
        <translation>Noch erstattbar</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Taken by</source>
        <translation>Erfasst von</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Transaction ID</source>
        <translation>Transaktions-ID</translation>
    </message>
    <message>
        <source>Order ID</source>
        <translation>Auftrags-ID</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>ACH authorization</source>
        <translation>ACH-Ermächtigung</translation>
    </message>
    <message>
        <source>SEPA mandate</source>
        <translation>SEPA-Mandat</translation>
    </message>
    <message>
        <source>Response</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Authorization code</source>
        <translation>Autorisierungscode</translation>
    </message>
    <message>
        <source>AVS result</source>
        <translation>AVS-Ergebnis</translation>
    </message>
    <message>
        <source>CVV result</source>
        <translation>CVV-Ergebnis</translation>
    </message>
    <message>
        <source>Gateway answer</source>
        <translation>Antwort des Gateways</translation>
    </message>
    <message>
        <source>Accounting</source>
        <translation>Buchhaltung</translation>
    </message>
    <message>
        <source>PSA</source>
        <translation>PSA</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Gateway said</source>
        <translation>Antwort des Gateways</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Storno</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Erstattung</translation>
    </message>
    <message>
        <source>Voids and refunds</source>
        <translation>Stornos und Erstattungen</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Sync jobs</source>
        <translation>Abgleichsaufträge</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>Prüfprotokoll</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>Stornieren …</translation>
    </message>
    <message>
        <source>Refund…</source>
        <translation>Erstatten …</translation>
    </message>
    <message>
        <source>Retry sync</source>
        <translation>Abgleich wiederholen</translation>
    </message>
    <message>
        <source>Save receipt as PDF…</source>
        <translation>Beleg als PDF speichern …</translation>
    </message>
    <message>
        <source>Print receipt…</source>
        <translation>Beleg drucken …</translation>
    </message>
    <message>
        <source>Approved after it was marked failed.</source>
        <translation>Genehmigt, nachdem sie als fehlgeschlagen markiert war.</translation>
    </message>
    <message>
        <source>Needs attention:</source>
        <translation>Braucht Aufmerksamkeit:</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Authorized by</source>
        <translation>Ermächtigt von</translation>
    </message>
    <message>
        <source>Wording version</source>
        <translation>Textversion</translation>
    </message>
    <message>
        <source>Wording fingerprint (SHA-256)</source>
        <translation>Fingerabdruck des Texts (SHA-256)</translation>
    </message>
    <message>
        <source>Kept until</source>
        <translation>Aufbewahrt bis</translation>
    </message>
    <message>
        <source>Wording</source>
        <translation>Wortlaut</translation>
    </message>
    <message>
        <source>Mandate reference</source>
        <translation>Mandatsreferenz</translation>
    </message>
    <message>
        <source>Mandate date</source>
        <translation>Mandatsdatum</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>Verworfen</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <source>Make a Payment · Invoice %1</source>
        <translation>Zahlung erfassen · Rechnung %1</translation>
    </message>
    <message>
        <source>Invoice %1</source>
        <translation>Rechnung %1</translation>
    </message>
    <message>
        <source>Invoice date</source>
        <translation>Rechnungsdatum</translation>
    </message>
    <message>
        <source>Amount due</source>
        <translation>Offener Betrag</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Fällig am</translation>
    </message>
    <message>
        <source>Contact making the payment</source>
        <translation>Zahlender Kontakt</translation>
    </message>
    <message>
        <source>Paid by (contact):</source>
        <translation>Bezahlt von (Kontakt):</translation>
    </message>
    <message>
        <source>Add Credit Card</source>
        <translation>Kreditkarte hinzufügen</translation>
    </message>
    <message>
        <source>Add Bank Information (eCheck)</source>
        <translation>Bankverbindung hinzufügen (eCheck)</translation>
    </message>
    <message>
        <source>Add SEPA Direct Debit</source>
        <translation>SEPA-Lastschrift hinzufügen</translation>
    </message>
    <message>
        <source>Manage saved methods…</source>
        <translation>Gespeicherte verwalten …</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Full balance by default; a partial payment between %1 and %2.</source>
        <translation>Standardmäßig der volle offene Betrag; eine Teilzahlung zwischen %1 und %2.</translation>
    </message>
    <message>
        <source>Amount:</source>
        <translation>Betrag:</translation>
    </message>
    <message>
        <source>Processing payment… do not close this window</source>
        <translation>Zahlung wird verarbeitet … Fenster nicht schließen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Process Payment</source>
        <translation>Zahlung ausführen</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Girokonto</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>Sparkonto</translation>
    </message>
    <message>
        <source>SEPA direct debit •••• %1</source>
        <translation>SEPA-Lastschrift •••• %1</translation>
    </message>
    <message>
        <source>Partial payment received. The new balance of this invoice is %1.</source>
        <translation>Teilzahlung erfasst. Der neue offene Betrag dieser Rechnung ist %1.</translation>
    </message>
    <message>
        <source>Paid in full. The new balance of this invoice is %1.</source>
        <translation>Vollständig bezahlt. Der neue offene Betrag dieser Rechnung ist %1.</translation>
    </message>
    <message>
        <source>ACH debit authorization</source>
        <translation>ACH-Lastschriftermächtigung</translation>
    </message>
    <message>
        <source>Read this to the customer (or have them sign it) before you take the payment. PayApp keeps it with the payment and prints it on the receipt.</source>
        <translation>Lesen Sie dies dem Kunden vor (oder lassen Sie es unterschreiben), bevor Sie die Zahlung annehmen. PayApp bewahrt den Text mit der Zahlung auf und druckt ihn auf die Quittung.</translation>
    </message>
    <message>
        <source>The customer agreed to this authorization</source>
        <translation>Der Kunde hat dieser Ermächtigung zugestimmt</translation>
    </message>
    <message>
        <source>(not recorded)</source>
        <translation>(nicht erfasst)</translation>
    </message>
    <message>
        <source>Enter an amount above zero.</source>
        <translation>Geben Sie einen Betrag über null ein.</translation>
    </message>
    <message>
        <source>The amount is more than the balance of %1.</source>
        <translation>Der Betrag übersteigt den offenen Betrag von %1.</translation>
    </message>
    <message>
        <source>The gateway takes payments of %1 or more.</source>
        <translation>Das Gateway nimmt Zahlungen ab %1 an.</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>eCheck %1 •••• %2</source>
        <translation>eCheck %1 •••• %2</translation>
    </message>
    <message>
        <source>saved method</source>
        <translation>gespeichertes Zahlungsmittel</translation>
    </message>
    <message>
        <source>Choose a payment method.</source>
        <translation>Wählen Sie ein Zahlungsmittel.</translation>
    </message>
    <message>
        <source>The customer must agree to the authorization before an eCheck is taken.</source>
        <translation>Der Kunde muss der Ermächtigung zustimmen, bevor ein eCheck eingezogen wird.</translation>
    </message>
    <message>
        <source>Confirm payment</source>
        <translation>Zahlung bestätigen</translation>
    </message>
    <message>
        <source>Charge %1 to %2 for invoice %3 (%4)?</source>
        <translation>%1 von %2 für Rechnung %3 (%4) abbuchen?</translation>
    </message>
    <message>
        <source>Possible duplicate payment</source>
        <translation>Mögliche doppelte Zahlung</translation>
    </message>
    <message>
        <source>Pay again</source>
        <translation>Erneut zahlen</translation>
    </message>
    <message>
        <source>Nothing was charged.</source>
        <translation>Es wurde nichts abgebucht.</translation>
    </message>
    <message>
        <source>Payment has been processed: %1. Transaction ID: %2.</source>
        <translation>Die Zahlung wurde verarbeitet: %1. Transaktions-ID: %2.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Outcome unknown, being checked. %1</source>
        <translation>Ergebnis unbekannt, wird geprüft. %1</translation>
    </message>
</context>
<context>
    <name>PaymentFilterBar</name>
    <message>
        <source>All dates</source>
        <translation>Alle Daten</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>Diese Woche</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Benutzerdefiniert …</translation>
    </message>
    <message>
        <source>Company contains</source>
        <translation>Firma enthält</translation>
    </message>
    <message>
        <source>Invoice number</source>
        <translation>Rechnungsnummer</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Any method</source>
        <translation>Jedes Zahlungsmittel</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>eCheck</source>
        <translation>eCheck</translation>
    </message>
    <message>
        <source>SEPA direct debit</source>
        <translation>SEPA-Lastschrift</translation>
    </message>
    <message>
        <source>Any brand</source>
        <translation>Jede Kartenmarke</translation>
    </message>
    <message>
        <source>Last 4</source>
        <translation>Letzte 4</translation>
    </message>
    <message>
        <source>Min amount</source>
        <translation>Mindestbetrag</translation>
    </message>
    <message>
        <source>Max amount</source>
        <translation>Höchstbetrag</translation>
    </message>
    <message>
        <source>Transaction ID</source>
        <translation>Transaktions-ID</translation>
    </message>
    <message>
        <source>Order ID</source>
        <translation>Auftrags-ID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>Jede Quelle</translation>
    </message>
    <message>
        <source>Any sync state</source>
        <translation>Jeder Abgleichsstatus</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>Filter zurücksetzen</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Zahlungsmittel</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Andere</translation>
    </message>
</context>
<context>
    <name>PaymentSearchTab</name>
    <message>
        <source>No payments match these filters. Widen the date range or clear filters.</source>
        <translation>Keine Zahlung passt zu diesen Filtern. Erweitern Sie den Zeitraum oder setzen Sie die Filter zurück.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Sales: approved and settled payments, refunded ones included; voided, declined, failed and returned payments are left out.</source>
        <translation>Umsatz: genehmigte und abgerechnete Zahlungen, erstattete eingeschlossen; stornierte, abgelehnte, fehlgeschlagene und zurückgegebene Zahlungen zählen nicht.</translation>
    </message>
    <message>
        <source>Payments are not available until the gateway is set up.</source>
        <translation>Zahlungen sind erst verfügbar, wenn das Gateway eingerichtet ist.</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Zähle …</translation>
    </message>
    <message>
        <source>No payments</source>
        <translation>Keine Zahlungen</translation>
    </message>
    <message numerus="yes">
        <source>%1 payment(s)</source>
        <translation>
            <numerusform>%1 Zahlung</numerusform>
            <numerusform>%1 Zahlungen</numerusform>
        </translation>
    </message>
    <message>
        <source>sales %1</source>
        <translation>Umsatz %1</translation>
    </message>
    <message>
        <source>applied %1</source>
        <translation>verbucht %1</translation>
    </message>
    <message>
        <source>refunded %1</source>
        <translation>erstattet %1</translation>
    </message>
    <message>
        <source>Service credit</source>
        <translation>Gutschrift</translation>
    </message>
</context>
<context>
    <name>PaymentTable</name>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Genehmigt</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Settled</source>
        <translation>Abgerechnet</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Erstattet</translation>
    </message>
    <message>
        <source>Partially refunded</source>
        <translation>Teilweise erstattet</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Rückbelastet</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Pending settlement</source>
        <extracomment>An approved eCheck is not money in the bank until it settles (issue #15.6): never shown as &quot;Approved&quot;.</extracomment>
        <translation>Abrechnung ausstehend</translation>
    </message>
    <message>
        <source>Not needed</source>
        <translation>Nicht nötig</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Synchronisiert</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Erfordert Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Back office</source>
        <translation>Backoffice</translation>
    </message>
    <message>
        <source>Client portal</source>
        <translation>Kundenportal</translation>
    </message>
    <message>
        <source>%1 · approved after it was marked failed</source>
        <translation>%1 · genehmigt, nachdem sie als fehlgeschlagen markiert war</translation>
    </message>
    <message>
        <source>%1 · needs attention</source>
        <translation>%1 · braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>Sparkonto</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Girokonto</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>%1 ending %2</source>
        <translation>%1 mit Endziffern %2</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Zahlungsmittel</translation>
    </message>
    <message>
        <source>Sale amount</source>
        <translation>Verkaufsbetrag</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>Verbucht</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Transaction ID</source>
        <translation>Transaktions-ID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <source>Accounting: %1 · PSA: %2</source>
        <translation>Buchhaltung: %1 · PSA: %2</translation>
    </message>
    <message>
        <source>The payments could not be loaded (%1).</source>
        <translation>Die Zahlungen konnten nicht geladen werden (%1).</translation>
    </message>
</context>
<context>
    <name>PendingApprovalsDialog</name>
    <message>
        <source>Pending refund approvals</source>
        <translation>Offene Erstattungsfreigaben</translation>
    </message>
    <message>
        <source>Requested</source>
        <translation>Angefordert</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>Invoice</source>
        <translation>Rechnung</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>No refunds are waiting for approval.</source>
        <translation>Keine Erstattungen warten auf Freigabe.</translation>
    </message>
    <message>
        <source>Approve and send</source>
        <translation>Freigeben und senden</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>%1 · re-opens the invoice</source>
        <translation>%1 · öffnet die Rechnung wieder</translation>
    </message>
</context>
<context>
    <name>PortalAccessBox</name>
    <message>
        <source>Sign-in and who may pay</source>
        <translation>Anmeldung und wer bezahlen darf</translation>
    </message>
    <message>
        <source>Clients reach the portal by</source>
        <translation>Kunden erreichen das Portal über</translation>
    </message>
    <message>
        <source>Secret payment links</source>
        <translation>Geheime Zahlungslinks</translation>
    </message>
    <message>
        <source>Signing in with their e-mail address</source>
        <translation>Anmeldung mit ihrer E-Mail-Adresse</translation>
    </message>
    <message>
        <source>Both: payment links and signing in</source>
        <translation>Beides: Zahlungslinks und Anmeldung</translation>
    </message>
    <message>
        <source>Signing in: a contact enters their e-mail address and gets a link that signs them in once, for 15 minutes (no passwords). They see their organization&apos;s recent invoices and their own saved payment methods. With sign-in only, payment links work for a signed-in contact who may pay.</source>
        <translation>Anmeldung: Ein Kontakt gibt seine E-Mail-Adresse ein und erhält einen Link, der ihn einmal anmeldet, 15 Minuten lang gültig (keine Passwörter). Er sieht die letzten Rechnungen seiner Organisation und seine eigenen gespeicherten Zahlungsarten. Nur mit Anmeldung funktionieren Zahlungslinks für einen angemeldeten Kontakt, der bezahlen darf.</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Name der Organisation</translation>
    </message>
    <message>
        <source>Find an organization</source>
        <translation>Organisation suchen</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Organization</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Contacts and who may pay</source>
        <translation>Kontakte und wer bezahlen darf</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Primary</source>
        <translation>Hauptkontakt</translation>
    </message>
    <message>
        <source>May pay</source>
        <translation>Darf bezahlen</translation>
    </message>
    <message>
        <source>Find an organization by its name to see its contacts and choose who may pay.</source>
        <translation>Suchen Sie eine Organisation nach ihrem Namen, um ihre Kontakte zu sehen und festzulegen, wer zahlen darf.</translation>
    </message>
    <message>
        <source>By default the organization&apos;s primary contact may pay and the other contacts see invoices only. A choice here is saved at once.</source>
        <translation>Voreingestellt darf der Hauptkontakt der Organisation bezahlen, die anderen Kontakte sehen nur Rechnungen. Eine Auswahl hier wird sofort gespeichert.</translation>
    </message>
    <message>
        <source>Clients reach the portal by:</source>
        <translation>Kunden erreichen das Portal über:</translation>
    </message>
    <message>
        <source>Organization:</source>
        <translation>Organisation:</translation>
    </message>
    <message>
        <source>No organization has that name.</source>
        <translation>Keine Organisation hat diesen Namen.</translation>
    </message>
    <message>
        <source>%1 (inactive)</source>
        <translation>%1 (inaktiv)</translation>
    </message>
    <message>
        <source>%1 may pay</source>
        <translation>%1 darf bezahlen</translation>
    </message>
    <message>
        <source>Default: may pay</source>
        <translation>Voreinstellung: darf bezahlen</translation>
    </message>
    <message>
        <source>Default: invoices only</source>
        <translation>Voreinstellung: nur Rechnungen</translation>
    </message>
    <message>
        <source>Invoices only</source>
        <translation>Nur Rechnungen</translation>
    </message>
</context>
<context>
    <name>PortalBrandingBox</name>
    <message>
        <source>Look of the portal</source>
        <translation>Aussehen des Portals</translation>
    </message>
    <message>
        <source>The portal shows your company&apos;s name and logo from Admin › Company details. Here you choose its accent colour (buttons, links, the amount due), a footer text and where clients get help.</source>
        <translation>Das Portal zeigt den Namen und das Logo Ihrer Firma aus Admin › Firmendaten. Hier wählen Sie die Akzentfarbe (Schaltflächen, Links, der offene Betrag), einen Text für die Fußzeile und wo Kunden Hilfe bekommen.</translation>
    </message>
    <message>
        <source>Accent colour</source>
        <translation>Akzentfarbe</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Farbe wählen …</translation>
    </message>
    <message>
        <source>Choose the accent colour</source>
        <translation>Akzentfarbe auswählen</translation>
    </message>
    <message>
        <source>Footer text</source>
        <translation>Fußzeile</translation>
    </message>
    <message>
        <source>e.g. Thank you for your business.</source>
        <translation>z. B. Vielen Dank für Ihren Auftrag.</translation>
    </message>
    <message>
        <source>Support e-mail</source>
        <translation>Support-E-Mail</translation>
    </message>
    <message>
        <source>Support phone</source>
        <translation>Support-Telefon</translation>
    </message>
    <message>
        <source>Empty: the e-mail and phone of Company details.</source>
        <translation>Leer: E-Mail und Telefon aus den Firmendaten.</translation>
    </message>
    <message>
        <source>Accent colour:</source>
        <translation>Akzentfarbe:</translation>
    </message>
    <message>
        <source>Footer text:</source>
        <translation>Fußzeile:</translation>
    </message>
    <message>
        <source>Support e-mail:</source>
        <translation>Support-E-Mail:</translation>
    </message>
    <message>
        <source>Support phone:</source>
        <translation>Support-Telefon:</translation>
    </message>
    <message>
        <source>Preview of the portal</source>
        <translation>Vorschau des Portals</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>Bezahlen</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vorschau:</translation>
    </message>
    <message>
        <source>Write the colour as # and six hexadecimal digits, like #1f5fae.</source>
        <translation>Schreiben Sie die Farbe als # und sechs Hexadezimalziffern, etwa #1f5fae.</translation>
    </message>
    <message>
        <source>Low contrast: white text on this colour (and this colour on white) has a contrast of %1:1; WCAG AA asks for at least %2:1. Some clients will not be able to read the buttons and links. Choose a darker colour.</source>
        <translation>Geringer Kontrast: Weiße Schrift auf dieser Farbe (und diese Farbe auf Weiß) hat einen Kontrast von %1:1; WCAG AA verlangt mindestens %2:1. Manche Kunden können die Schaltflächen und Links dann nicht lesen. Wählen Sie eine dunklere Farbe.</translation>
    </message>
    <message>
        <source>That is not an e-mail address.</source>
        <translation>Das ist keine E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>A phone number has digits, spaces and + ( ) - . / only.</source>
        <translation>Eine Telefonnummer enthält nur Ziffern, Leerzeichen und + ( ) - . /.</translation>
    </message>
    <message>
        <source>A phone number has at least three digits.</source>
        <translation>Eine Telefonnummer hat mindestens drei Ziffern.</translation>
    </message>
    <message>
        <source>Your company</source>
        <translation>Ihre Firma</translation>
    </message>
    <message>
        <source>Amount due: %1</source>
        <translation>Offener Betrag: %1</translation>
    </message>
</context>
<context>
    <name>ProcessingPage</name>
    <message>
        <source>Secret Service (GNOME Keyring, KWallet)</source>
        <translation>Secret Service (GNOME Keyring, KWallet)</translation>
    </message>
    <message>
        <source>Windows Credential Manager</source>
        <translation>Windows-Anmeldeinformationsverwaltung</translation>
    </message>
    <message>
        <source>macOS Keychain</source>
        <translation>macOS-Schlüsselbund</translation>
    </message>
    <message>
        <source>KWallet</source>
        <translation>KWallet</translation>
    </message>
    <message>
        <source>demo — not saved</source>
        <translation>Demo — nicht gespeichert</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Payment Processing</source>
        <translation>Zahlungsabwicklung</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>Gateway for new payments</source>
        <translation>Gateway für neue Zahlungen</translation>
    </message>
    <message>
        <source>Payments taken before a change stay voidable and refundable through the gateway that took them, while its keys stay here.</source>
        <translation>Zahlungen vor einem Wechsel bleiben über das Gateway stornierbar und erstattbar, das sie angenommen hat, solange seine Schlüssel hier bleiben.</translation>
    </message>
    <message>
        <source>Production</source>
        <translation>Produktiv</translation>
    </message>
    <message>
        <source>Sandbox (test account)</source>
        <translation>Sandbox (Testkonto)</translation>
    </message>
    <message>
        <source>Gateway:</source>
        <translation>Gateway:</translation>
    </message>
    <message>
        <source>Use for new payments:</source>
        <translation>Für neue Zahlungen verwenden:</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>Umgebung:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Keys (kept in this computer&apos;s keyring)</source>
        <translation>Schlüssel (im Schlüsselbund dieses Computers)</translation>
    </message>
    <message>
        <source>Test keys</source>
        <translation>Schlüssel testen</translation>
    </message>
    <message>
        <source>Clear keys…</source>
        <translation>Schlüssel löschen …</translation>
    </message>
    <message>
        <source>Payment types</source>
        <translation>Zahlungsarten</translation>
    </message>
    <message>
        <source>Back office</source>
        <translation>Backoffice</translation>
    </message>
    <message>
        <source>Client portal</source>
        <translation>Kundenportal</translation>
    </message>
    <message>
        <source>Credit card</source>
        <translation>Kreditkarte</translation>
    </message>
    <message>
        <source>eCheck</source>
        <translation>eCheck</translation>
    </message>
    <message>
        <source>SEPA direct debit</source>
        <translation>SEPA-Lastschrift</translation>
    </message>
    <message>
        <source>PayPal</source>
        <translation>PayPal</translation>
    </message>
    <message>
        <source>The Client portal column is the same choice as on Admin › Client Portal, where the portal&apos;s address and links are set up.</source>
        <translation>Die Spalte Kundenportal ist dieselbe Auswahl wie unter Admin › Kundenportal, wo Adresse und Links des Portals eingerichtet werden.</translation>
    </message>
    <message>
        <source>Internal currency</source>
        <translation>Interne Währung</translation>
    </message>
    <message>
        <source>Set currency…</source>
        <translation>Währung festlegen …</translation>
    </message>
    <message>
        <source>Refund approval</source>
        <translation>Freigabe von Erstattungen</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Approval needed above</source>
        <translation>Freigabe nötig über</translation>
    </message>
    <message>
        <source>A void or refund above this amount is not sent until another user approves it; the user who asked can never approve their own request. Leave it empty (or 0) to switch the rule off. Requests waiting for approval are listed in Payment Search › Pending approvals…</source>
        <translation>Eine Stornierung oder Erstattung über diesem Betrag wird erst gesendet, wenn ein anderer Benutzer sie freigibt; wer sie angefordert hat, kann sie nie selbst freigeben. Leer lassen (oder 0), um die Regel auszuschalten. Anfragen, die auf Freigabe warten, stehen in Zahlungssuche › Offene Freigaben …</translation>
    </message>
    <message>
        <source>Approval needed above:</source>
        <translation>Freigabe nötig über:</translation>
    </message>
    <message>
        <source>Card checks</source>
        <translation>Kartenprüfungen</translation>
    </message>
    <message>
        <source>Refuse card payments whose CVV does not match</source>
        <translation>Kartenzahlungen ablehnen, deren CVV nicht übereinstimmt</translation>
    </message>
    <message>
        <source>When the gateway approves a card payment but reports that the security code (CVV) does not match, PayApp voids it at once and tells the user why: nothing stays charged. Off: such payments are kept, and Payment details shows the CVV result.</source>
        <translation>Wenn das Gateway eine Kartenzahlung genehmigt, aber meldet, dass der Sicherheitscode (CVV) nicht übereinstimmt, storniert PayApp sie sofort und sagt dem Benutzer, warum: Es bleibt nichts belastet. Aus: Solche Zahlungen bleiben bestehen, und die Zahlungsdetails zeigen das CVV-Ergebnis.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>%1:</source>
        <translation>%1:</translation>
    </message>
    <message>
        <source>another admin</source>
        <translation>ein anderer Administrator</translation>
    </message>
    <message>
        <source>an unknown time</source>
        <translation>unbekanntem Zeitpunkt</translation>
    </message>
    <message>
        <source>⚠ The keys in the shared database were set by {who} on {when} on another workstation and are not in this computer&apos;s keyring. Payments are blocked here until you enter the same keys here (Replace).</source>
        <translation>⚠ Die Schlüssel in der gemeinsamen Datenbank wurden von {who} am {when} an einem anderen Arbeitsplatz gesetzt und liegen nicht im Schlüsselbund dieses Computers. Zahlungen sind hier gesperrt, bis Sie dieselben Schlüssel hier eingeben (Ersetzen).</translation>
    </message>
    <message>
        <source>Keys are kept in: {store}</source>
        <translation>Schlüssel liegen in: {store}</translation>
    </message>
    <message>
        <source>✖ This computer&apos;s keyring ({name}) keeps secrets in plain text or is not available, so keys cannot be saved. Use Windows Credential Manager, macOS Keychain, or a Secret Service (GNOME Keyring, KWallet).</source>
        <translation>✖ Der Schlüsselbund dieses Computers ({name}) speichert Geheimnisse im Klartext oder ist nicht verfügbar, daher können keine Schlüssel gespeichert werden. Verwenden Sie die Windows-Anmeldeinformationsverwaltung, den macOS-Schlüsselbund oder einen Secret Service (GNOME Keyring, KWallet).</translation>
    </message>
    <message>
        <source>{gateway} does not offer this here.</source>
        <translation>{gateway} bietet dies hier nicht an.</translation>
    </message>
    <message>
        <source>New payments now go through {gateway}. Earlier payments stay with the gateway that took them.</source>
        <translation>Neue Zahlungen laufen jetzt über {gateway}. Frühere Zahlungen bleiben bei dem Gateway, das sie angenommen hat.</translation>
    </message>
    <message>
        <source>{code} — chosen once; it can never be changed.</source>
        <translation>{code} — einmalig gewählt; kann nie mehr geändert werden.</translation>
    </message>
    <message>
        <source>{gateway} takes only {supported}: processing stays off.</source>
        <translation>{gateway} akzeptiert nur {supported}: Die Zahlungsabwicklung bleibt aus.</translation>
    </message>
    <message>
        <source>Not chosen yet. {gateway} supports {supported}.</source>
        <translation>Noch nicht gewählt. {gateway} unterstützt {supported}.</translation>
    </message>
    <message>
        <source>Choose the internal currency first: the amount is in it.</source>
        <translation>Wählen Sie zuerst die interne Währung: Der Betrag wird in ihr angegeben.</translation>
    </message>
    <message>
        <source>Voids and refunds above %1 need a second user&apos;s approval.</source>
        <translation>Stornierungen und Erstattungen über %1 müssen von einem zweiten Benutzer freigegeben werden.</translation>
    </message>
    <message>
        <source>Off: Finance and Admin users void and refund without approval.</source>
        <translation>Aus: Benutzer mit der Rolle Finanzen oder Administrator stornieren und erstatten ohne Freigabe.</translation>
    </message>
    <message>
        <source>Enter an amount of 0 or more (empty or 0: off).</source>
        <translation>Geben Sie einen Betrag von 0 oder mehr ein (leer oder 0: aus).</translation>
    </message>
    <message>
        <source>back office: {types}</source>
        <translation>Backoffice: {types}</translation>
    </message>
    <message>
        <source>client portal: {types}</source>
        <translation>Kundenportal: {types}</translation>
    </message>
    <message>
        <source>✔ Processing is active ({details}).</source>
        <translation>✔ Die Zahlungsabwicklung ist aktiv ({details}).</translation>
    </message>
    <message>
        <source>⚠ Processing is off: {reason}</source>
        <translation>⚠ Die Zahlungsabwicklung ist aus: {reason}</translation>
    </message>
    <message>
        <source>credit card</source>
        <translation>Kreditkarte</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>Asking the gateway…</source>
        <translation>Frage das Gateway …</translation>
    </message>
    <message>
        <source>Clear keys</source>
        <translation>Schlüssel löschen</translation>
    </message>
    <message>
        <source>Remove the gateway keys?</source>
        <translation>Die Gateway-Schlüssel entfernen?</translation>
    </message>
    <message>
        <source>Payments stop on every workstation until keys are entered again.</source>
        <translation>Zahlungen ruhen an allen Arbeitsplätzen, bis die Schlüssel erneut eingegeben werden.</translation>
    </message>
    <message>
        <source>Keys cleared: payment processing is off.</source>
        <translation>Schlüssel gelöscht: Die Zahlungsabwicklung ist aus.</translation>
    </message>
    <message>
        <source>Set the internal currency to {code}?</source>
        <translation>Die interne Währung auf {code} festlegen?</translation>
    </message>
    <message>
        <source>Set {code} for good</source>
        <translation>{code} endgültig festlegen</translation>
    </message>
    <message>
        <source>The internal currency can never be changed afterwards.</source>
        <translation>Die interne Währung kann danach nie mehr geändert werden.</translation>
    </message>
</context>
<context>
    <name>QuickBooksDesktopBox</name>
    <message>
        <source>QuickBooks Desktop (through the Web Connector)</source>
        <translation>QuickBooks Desktop (über den Web Connector)</translation>
    </message>
    <message>
        <source>Accounting system</source>
        <translation>Buchhaltungssystem</translation>
    </message>
    <message>
        <source>QuickBooks Online</source>
        <translation>QuickBooks Online</translation>
    </message>
    <message>
        <source>QuickBooks Desktop (Web Connector)</source>
        <translation>QuickBooks Desktop (Web Connector)</translation>
    </message>
    <message>
        <source>Web Connector user name</source>
        <translation>Web-Connector-Benutzername</translation>
    </message>
    <message>
        <source>Web Connector password</source>
        <translation>Web-Connector-Passwort</translation>
    </message>
    <message>
        <source>Type a new password to set or replace it</source>
        <translation>Neues Passwort eingeben, um es festzulegen oder zu ersetzen</translation>
    </message>
    <message>
        <source>Address the Web Connector calls</source>
        <translation>Adresse, die der Web Connector aufruft</translation>
    </message>
    <message>
        <source>https://payapp.example.com/qbwc, or http://localhost:8471/qbwc</source>
        <translation>https://payapp.example.com/qbwc oder http://localhost:8471/qbwc</translation>
    </message>
    <message>
        <source>Run every N minutes</source>
        <translation>Alle N Minuten ausführen</translation>
    </message>
    <message>
        <source> min</source>
        <translation> Min.</translation>
    </message>
    <message>
        <source>Answer the Web Connector from this app (QuickBooks runs on this computer)</source>
        <translation>Web Connector von dieser App aus beantworten (QuickBooks läuft auf diesem Computer)</translation>
    </message>
    <message>
        <source>Port on localhost</source>
        <translation>Port auf localhost</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save .qwc file…</source>
        <translation>.qwc-Datei speichern …</translation>
    </message>
    <message>
        <source>Open this file in the Web Connector (Add an application) on the computer that runs QuickBooks Desktop</source>
        <translation>Diese Datei im Web Connector (Anwendung hinzufügen) auf dem Computer öffnen, auf dem QuickBooks Desktop läuft</translation>
    </message>
    <message>
        <source>Accounting system:</source>
        <translation>Buchhaltungssystem:</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Service address:</source>
        <translation>Dienstadresse:</translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation>Zeitplan:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Last session:</source>
        <translation>Letzte Sitzung:</translation>
    </message>
    <message>
        <source>Waiting:</source>
        <translation>Wartend:</translation>
    </message>
    <message>
        <source>A password is set (it is never shown)</source>
        <translation>Ein Passwort ist gesetzt (es wird nie angezeigt)</translation>
    </message>
    <message>
        <source>No password yet: the Web Connector cannot sign in</source>
        <translation>Noch kein Passwort: Der Web Connector kann sich nicht anmelden</translation>
    </message>
    <message>
        <source>The Web Connector has not called yet</source>
        <translation>Der Web Connector hat sich noch nicht gemeldet</translation>
    </message>
    <message>
        <source>{when}: {requests} request(s), {errors} error(s)</source>
        <translation>{when}: {requests} Anfrage(n), {errors} Fehler</translation>
    </message>
    <message>
        <source>Last error: {message}</source>
        <translation>Letzter Fehler: {message}</translation>
    </message>
    <message numerus="yes">
        <source>%n update(s) wait for the next Web Connector session.</source>
        <translation>
            <numerusform>%n Aktualisierung wartet auf die nächste Web-Connector-Sitzung.</numerusform>
            <numerusform>%n Aktualisierungen warten auf die nächste Web-Connector-Sitzung.</numerusform>
        </translation>
    </message>
    <message>
        <source>QuickBooks Desktop settings saved</source>
        <translation>QuickBooks-Desktop-Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>Save the Web Connector file</source>
        <translation>Web-Connector-Datei speichern</translation>
    </message>
    <message>
        <source>Web Connector files (*.qwc)</source>
        <translation>Web-Connector-Dateien (*.qwc)</translation>
    </message>
    <message>
        <source>The file could not be saved: {reason}</source>
        <translation>Die Datei konnte nicht gespeichert werden: {reason}</translation>
    </message>
    <message>
        <source>Saved {path}: open it in the Web Connector</source>
        <translation>{path} gespeichert: im Web Connector öffnen</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>PPD · personal account</source>
        <translation>PPD · Privatkonto</translation>
    </message>
    <message>
        <source>CCD · business account</source>
        <translation>CCD · Geschäftskonto</translation>
    </message>
</context>
<context>
    <name>ReceiptMailDialog</name>
    <message>
        <source>E-mail receipt — %1</source>
        <translation>Beleg per E-Mail — %1</translation>
    </message>
    <message>
        <source>Send the receipt to</source>
        <translation>Beleg senden an</translation>
    </message>
    <message>
        <source>Language of the receipt</source>
        <translation>Sprache des Belegs</translation>
    </message>
    <message>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>An:</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Sending the receipt to %1…</source>
        <translation>Beleg wird an %1 gesendet …</translation>
    </message>
    <message>
        <source>The receipt was e-mailed to %1.</source>
        <translation>Der Beleg wurde an %1 gesendet.</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Void payment</source>
        <translation>Zahlung stornieren</translation>
    </message>
    <message>
        <source>Refund payment</source>
        <translation>Zahlung erstatten</translation>
    </message>
    <message>
        <source>This payment has not settled yet, so it can only be voided in full: %1 on %2 for invoice %3 of %4. The charge disappears from the customer&apos;s statement.</source>
        <translation>Diese Zahlung ist noch nicht abgerechnet und kann daher nur vollständig storniert werden: %1 am %2 für Rechnung %3 von %4. Die Belastung verschwindet von der Abrechnung des Kunden.</translation>
    </message>
    <message>
        <source>%1 can still be refunded to %2 for invoice %3 of %4.</source>
        <translation>%1 kann noch an %2 für Rechnung %3 von %4 erstattet werden.</translation>
    </message>
    <message>
        <source>Full: %1</source>
        <translation>Voll: %1</translation>
    </message>
    <message>
        <source>Partial amount:</source>
        <translation>Teilbetrag:</translation>
    </message>
    <message>
        <source>Partial amount</source>
        <translation>Teilbetrag</translation>
    </message>
    <message>
        <source>Why (kept in the audit log)</source>
        <translation>Grund (wird im Prüfprotokoll festgehalten)</translation>
    </message>
    <message>
        <source>Amounts above %1 need another user&apos;s approval before they are sent.</source>
        <translation>Beträge über %1 müssen vor dem Senden von einem anderen Benutzer freigegeben werden.</translation>
    </message>
    <message>
        <source>The invoice</source>
        <translation>Die Rechnung</translation>
    </message>
    <message>
        <source>Stays paid: the money goes back to the customer as a refund</source>
        <translation>Bleibt bezahlt: Das Geld geht als Erstattung an den Kunden zurück</translation>
    </message>
    <message>
        <source>QuickBooks gets a refund receipt; the invoice stays paid there, in PayApp and in Autotask.</source>
        <translation>QuickBooks erhält einen Erstattungsbeleg; die Rechnung bleibt dort, in PayApp und in Autotask bezahlt.</translation>
    </message>
    <message>
        <source>Re-open it: the customer still owes the invoice</source>
        <translation>Wieder öffnen: Der Kunde schuldet die Rechnung noch</translation>
    </message>
    <message>
        <source>The invoice balance goes back up; the payment is voided in QuickBooks, so the invoice is open there too. Autotask keeps its paid date (its API cannot clear one): clear it in Autotask if needed. Only for the whole payment.</source>
        <translation>Der offene Betrag der Rechnung steigt wieder; die Zahlung wird in QuickBooks storniert, sodass die Rechnung auch dort offen ist. Autotask behält sein Bezahldatum (seine API kann es nicht löschen): Löschen Sie es bei Bedarf in Autotask. Nur für die ganze Zahlung.</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Grund:</translation>
    </message>
    <message>
        <source>Void…</source>
        <translation>Stornieren …</translation>
    </message>
    <message>
        <source>Refund…</source>
        <translation>Erstatten …</translation>
    </message>
    <message>
        <source>Enter an amount above zero.</source>
        <translation>Geben Sie einen Betrag über null ein.</translation>
    </message>
    <message>
        <source>You can refund at most %1.</source>
        <translation>Sie können höchstens %1 erstatten.</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <source>Reset password</source>
        <translation>Passwort zurücksetzen</translation>
    </message>
    <message>
        <source>At least {n} characters</source>
        <translation>Mindestens {n} Zeichen</translation>
    </message>
    <message>
        <source>New password for {name}:</source>
        <translation>Neues Passwort für {name}:</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>Wiederholen:</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Die Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>SavedMethodChooser</name>
    <message>
        <source>Saved payment methods</source>
        <translation>Gespeicherte Zahlungsmittel</translation>
    </message>
    <message>
        <source>No saved payment methods for this company yet.</source>
        <translation>Für diese Firma sind noch keine Zahlungsmittel gespeichert.</translation>
    </message>
    <message>
        <source>%1 (last used)</source>
        <translation>%1 (zuletzt verwendet)</translation>
    </message>
    <message>
        <source>(expired)</source>
        <translation>(abgelaufen)</translation>
    </message>
    <message>
        <source>(expires soon)</source>
        <translation>(läuft bald ab)</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>Sparkonto</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Girokonto</translation>
    </message>
    <message>
        <source>eCheck %1 •••• %2</source>
        <translation>eCheck %1 •••• %2</translation>
    </message>
</context>
<context>
    <name>SavedMethodsDialog</name>
    <message>
        <source>Saved payment methods · %1</source>
        <translation>Gespeicherte Zahlungsmittel · %1</translation>
    </message>
    <message>
        <source>Cards and bank accounts saved for %1. The numbers stay in the gateway&apos;s vault; PayApp keeps the last four digits only.</source>
        <translation>Für %1 gespeicherte Karten und Bankkonten. Die Nummern bleiben im Tresor des Gateways; PayApp speichert nur die letzten vier Ziffern.</translation>
    </message>
    <message>
        <source>Saved payment methods</source>
        <translation>Gespeicherte Zahlungsmittel</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Zahlungsmittel</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Gültig bis</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <source>No saved payment methods for %1 yet. To save one, receive a payment by card or eCheck and tick “Save payment information”.</source>
        <translation>Für %1 sind noch keine Zahlungsmittel gespeichert. Um eines zu speichern, nehmen Sie eine Zahlung per Karte oder eCheck entgegen und setzen Sie das Häkchen bei „Zahlungsdaten speichern“.</translation>
    </message>
    <message>
        <source>Your role can see saved payment methods but not change them.</source>
        <translation>Ihre Rolle darf gespeicherte Zahlungsmittel sehen, aber nicht ändern.</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>&amp;Umbenennen …</translation>
    </message>
    <message>
        <source>Give it a name PayApp shows with it (F2)</source>
        <translation>Einen Namen vergeben, den PayApp dazu anzeigt (F2)</translation>
    </message>
    <message>
        <source>New e&amp;xpiry…</source>
        <translation>Neues &amp;Ablaufdatum …</translation>
    </message>
    <message>
        <source>The card&apos;s new expiry date, from the customer (Ctrl+E)</source>
        <translation>Das neue Ablaufdatum der Karte, vom Kunden (Strg+E)</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen …</translation>
    </message>
    <message>
        <source>Delete it here and in the gateway&apos;s vault (Del)</source>
        <translation>Hier und im Tresor des Gateways löschen (Entf)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>%1 ending %2</source>
        <translation>%1 mit Endziffern %2</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>Savings</source>
        <translation>Sparkonto</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Girokonto</translation>
    </message>
    <message>
        <source>eCheck %1 ending %2</source>
        <translation>eCheck %1 mit Endziffern %2</translation>
    </message>
    <message>
        <source>%1 · expired</source>
        <translation>%1 · abgelaufen</translation>
    </message>
    <message>
        <source>%1 · expires soon</source>
        <translation>%1 · läuft bald ab</translation>
    </message>
    <message>
        <source>%1 (the default)</source>
        <translation>%1 (Standard)</translation>
    </message>
    <message numerus="yes">
        <source>%n card(s) expired: ask the customer for the new expiry date, or delete it.</source>
        <translation>
            <numerusform>%n Karte ist abgelaufen: Fragen Sie den Kunden nach dem neuen Ablaufdatum oder löschen Sie sie.</numerusform>
            <numerusform>%n Karten sind abgelaufen: Fragen Sie den Kunden nach den neuen Ablaufdaten oder löschen Sie sie.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n card(s) expire within 60 days.</source>
        <translation>
            <numerusform>%n Karte läuft innerhalb von 60 Tagen ab.</numerusform>
            <numerusform>%n Karten laufen innerhalb von 60 Tagen ab.</numerusform>
        </translation>
    </message>
    <message>
        <source>Name for %1</source>
        <translation>Name für %1</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>e.g. Office card (empty: no name)</source>
        <translation>z. B. Bürokarte (leer: kein Name)</translation>
    </message>
    <message>
        <source>%1 renamed.</source>
        <translation>%1 umbenannt.</translation>
    </message>
    <message>
        <source>New expiry for %1</source>
        <translation>Neues Ablaufdatum für %1</translation>
    </message>
    <message>
        <source>Expires (MM/YY):</source>
        <translation>Gültig bis (MM/JJ):</translation>
    </message>
    <message>
        <source>MM/YY</source>
        <translation>MM/JJ</translation>
    </message>
    <message>
        <source>The card number stays as it is; the gateway&apos;s vault gets the new date.</source>
        <translation>Die Kartennummer bleibt, wie sie ist; der Tresor des Gateways erhält das neue Datum.</translation>
    </message>
    <message>
        <source>%1 has its new expiry date.</source>
        <translation>%1 hat das neue Ablaufdatum.</translation>
    </message>
    <message>
        <source>Delete saved payment method</source>
        <translation>Gespeichertes Zahlungsmittel löschen</translation>
    </message>
    <message>
        <source>Delete %1 of %2?</source>
        <translation>%1 von %2 löschen?</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>It is deleted in the gateway&apos;s vault too. The customer gives the card or account again for a next payment.</source>
        <translation>Es wird auch im Tresor des Gateways gelöscht. Für eine nächste Zahlung gibt der Kunde die Karte oder das Konto erneut an.</translation>
    </message>
    <message>
        <source>%1 deleted.</source>
        <translation>%1 gelöscht.</translation>
    </message>
</context>
<context>
    <name>SavedSearches</name>
    <message>
        <source>Saved searches</source>
        <translation>Gespeicherte Suchen</translation>
    </message>
    <message>
        <source>Apply a saved search. Save the current filters with Saved searches › Save current filters… (Ctrl+Shift+S).</source>
        <translation>Eine gespeicherte Suche anwenden. Die aktuellen Filter speichern Sie mit Gespeicherte Suchen › Aktuelle Filter speichern … (Strg+Umschalt+S).</translation>
    </message>
    <message>
        <source>Saved searches: save, rename, delete</source>
        <translation>Gespeicherte Suchen: speichern, umbenennen, löschen</translation>
    </message>
    <message>
        <source>Save current filters…</source>
        <translation>Aktuelle Filter speichern …</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen …</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen …</translation>
    </message>
    <message>
        <source>Saved searches…</source>
        <translation>Gespeicherte Suchen …</translation>
    </message>
    <message>
        <source>No saved searches yet</source>
        <translation>Noch keine gespeicherten Suchen</translation>
    </message>
    <message>
        <source>Choose a saved search first</source>
        <translation>Wählen Sie zuerst eine gespeicherte Suche</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Save search</source>
        <translation>Suche speichern</translation>
    </message>
    <message>
        <source>Name for the current filters:</source>
        <translation>Name für die aktuellen Filter:</translation>
    </message>
    <message>
        <source>Nothing was saved: a saved search needs a name.</source>
        <translation>Nichts gespeichert: Eine gespeicherte Suche braucht einen Namen.</translation>
    </message>
    <message>
        <source>Replace saved search?</source>
        <translation>Gespeicherte Suche ersetzen?</translation>
    </message>
    <message>
        <source>A saved search named “%1” exists already. Replace it with the current filters?</source>
        <translation>Eine gespeicherte Suche namens „%1“ gibt es schon. Durch die aktuellen Filter ersetzen?</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Saved the current filters as “%1”.</source>
        <translation>Die aktuellen Filter sind als „%1“ gespeichert.</translation>
    </message>
    <message>
        <source>Rename saved search</source>
        <translation>Gespeicherte Suche umbenennen</translation>
    </message>
    <message>
        <source>New name for “%1”:</source>
        <translation>Neuer Name für „%1“:</translation>
    </message>
    <message>
        <source>Not renamed: choose a name no other saved search has.</source>
        <translation>Nicht umbenannt: Wählen Sie einen Namen, den keine andere gespeicherte Suche hat.</translation>
    </message>
    <message>
        <source>Not renamed: a saved search needs a name.</source>
        <translation>Nicht umbenannt: Eine gespeicherte Suche braucht einen Namen.</translation>
    </message>
    <message>
        <source>Renamed “%1” to “%2”.</source>
        <translation>„%1“ in „%2“ umbenannt.</translation>
    </message>
    <message>
        <source>Delete saved search?</source>
        <translation>Gespeicherte Suche löschen?</translation>
    </message>
    <message>
        <source>Delete the saved search “%1”? The payments are not affected.</source>
        <translation>Die gespeicherte Suche „%1“ löschen? Die Zahlungen bleiben unverändert.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Deleted the saved search “%1”.</source>
        <translation>Die gespeicherte Suche „%1“ ist gelöscht.</translation>
    </message>
</context>
<context>
    <name>SecretRow</name>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Replace %1</source>
        <translation>%1 ersetzen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Keep the saved key (Esc)</source>
        <translation>Gespeicherten Schlüssel behalten (Esc)</translation>
    </message>
    <message>
        <source>Configured · fingerprint {fp}…</source>
        <translation>Eingerichtet · Fingerabdruck {fp}…</translation>
    </message>
    <message>
        <source>Configured · fingerprint {fp}… — not on this workstation</source>
        <translation>Eingerichtet · Fingerabdruck {fp}… — nicht an diesem Arbeitsplatz</translation>
    </message>
</context>
<context>
    <name>SepaForm</name>
    <message>
        <source>New SEPA direct debit</source>
        <translation>Neue SEPA-Lastschrift</translation>
    </message>
    <message>
        <source>IBAN</source>
        <translation>IBAN</translation>
    </message>
    <message>
        <source>Account holder:</source>
        <translation>Kontoinhaber:</translation>
    </message>
    <message>
        <source>IBAN:</source>
        <translation>IBAN:</translation>
    </message>
    <message>
        <source>BIC (optional):</source>
        <translation>BIC (optional):</translation>
    </message>
    <message>
        <source>City:</source>
        <translation>Ort:</translation>
    </message>
    <message>
        <source>Postal code:</source>
        <translation>Postleitzahl:</translation>
    </message>
    <message>
        <source>Enter the name of the account holder.</source>
        <translation>Geben Sie den Namen des Kontoinhabers ein.</translation>
    </message>
    <message>
        <source>SEPA direct debit mandate</source>
        <translation>SEPA-Lastschriftmandat</translation>
    </message>
    <message>
        <source>Read this mandate to the account holder (or have them sign it) before you take the payment. PayApp keeps it with the payment.</source>
        <translation>Lesen Sie dem Kontoinhaber dieses Mandat vor (oder lassen Sie es unterschreiben), bevor Sie die Zahlung annehmen. PayApp bewahrt es mit der Zahlung auf.</translation>
    </message>
    <message>
        <source>The account holder agreed to this mandate</source>
        <translation>Der Kontoinhaber hat diesem Mandat zugestimmt</translation>
    </message>
    <message>
        <source>The account holder must agree to the mandate before the debit is taken.</source>
        <translation>Der Kontoinhaber muss dem Mandat zustimmen, bevor die Lastschrift eingezogen wird.</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Create the admin account</source>
        <translation>Administratorkonto anlegen</translation>
    </message>
    <message>
        <source>Sign in to {app}</source>
        <translation>Bei {app} anmelden</translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to {app}.&lt;/b&gt;&lt;br&gt;No one uses this company database yet. Create the first admin account; admins add everyone else in Admin → Users.</source>
        <translation>&lt;b&gt;Willkommen bei {app}.&lt;/b&gt;&lt;br&gt;Diese Firmendatenbank wird noch von niemandem genutzt. Legen Sie das erste Administratorkonto an; Administratoren fügen alle weiteren unter Verwaltung → Benutzer hinzu.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sign in to {app}&lt;/b&gt;</source>
        <translation>&lt;b&gt;Bei {app} anmelden&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Benutzername:</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>Ihr Name:</translation>
    </message>
    <message>
        <source>At least {n} characters</source>
        <translation>Mindestens {n} Zeichen</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Repeat password:</source>
        <translation>Passwort wiederholen:</translation>
    </message>
    <message>
        <source>Create admin account</source>
        <translation>Administratorkonto anlegen</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Demo users (demo — not real passwords)</source>
        <translation>Demo-Benutzer (Demo — keine echten Passwörter)</translation>
    </message>
    <message>
        <source>Sign in as each role to see what it may do: Finance takes payments and refunds, Viewer only looks.</source>
        <translation>Melden Sie sich mit jeder Rolle an, um zu sehen, was sie darf: „Finanzen“ nimmt Zahlungen an und erstattet, „Nur Lesen“ sieht nur zu.</translation>
    </message>
    <message>
        <source>user &lt;tt&gt;%1&lt;/tt&gt;, password &lt;tt&gt;%2&lt;/tt&gt;</source>
        <translation>Benutzer &lt;tt&gt;%1&lt;/tt&gt;, Passwort &lt;tt&gt;%2&lt;/tt&gt;</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Use %1</source>
        <translation>%1 übernehmen</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Die Passwörter stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>SyncProblemsDialog</name>
    <message>
        <source>Sync problems</source>
        <translation>Abgleichsprobleme</translation>
    </message>
    <message>
        <source>These could not be sent to QuickBooks or Autotask. Fix the cause, then Retry; or, if you did it by hand, Dismiss with a reason.</source>
        <translation>Diese Einträge konnten nicht an QuickBooks oder Autotask gesendet werden. Beheben Sie die Ursache und wählen Sie „Erneut versuchen“ – oder, falls Sie es von Hand erledigt haben, „Verwerfen“ mit einem Grund.</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Was</translation>
    </message>
    <message>
        <source>Invoice / payment</source>
        <translation>Rechnung / Zahlung</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>No sync problems.</source>
        <translation>Keine Abgleichsprobleme.</translation>
    </message>
    <message>
        <source>Reason for dismissing (required)</source>
        <translation>Grund für das Verwerfen (Pflichtfeld)</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <source>Queued again: PayApp will send it shortly.</source>
        <translation>Erneut eingereiht: PayApp sendet es in Kürze.</translation>
    </message>
    <message>
        <source>Dismissed; the reason is in the audit log.</source>
        <translation>Verworfen; der Grund steht im Prüfprotokoll.</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Not synced yet</source>
        <translation>Noch nicht abgeglichen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Jetzt abgleichen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Starting sync…</source>
        <translation>Starte Abgleich …</translation>
    </message>
    <message>
        <source>Sync cancelled; the next sync continues where it stopped.</source>
        <translation>Abgleich abgebrochen; der nächste Abgleich setzt dort fort, wo er aufgehört hat.</translation>
    </message>
    <message>
        <source>Synced at {time} · {n} records</source>
        <translation>Abgeglichen um {time} · {n} Datensätze</translation>
    </message>
    <message>
        <source>{who} is syncing</source>
        <translation>{who} gleicht gerade ab</translation>
    </message>
    <message>
        <source>Last sync {when}</source>
        <translation>Letzter Abgleich {when}</translation>
    </message>
    <message numerus="yes">
        <source>⚠ %n sync problem(s)</source>
        <translation>
            <numerusform>⚠ %n Abgleichsproblem</numerusform>
            <numerusform>⚠ %n Abgleichsprobleme</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Finance</source>
        <translation>Finanzen</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>Nur Lesen</translation>
    </message>
    <message>
        <source>Client portal</source>
        <translation>Kundenportal</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation>Letzte Anmeldung</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation>Benutzer hinzufügen …</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Rolle ändern</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>Passwort zurücksetzen …</translation>
    </message>
    <message>
        <source>Sets a new password and lifts a sign-in lockout.</source>
        <translation>Setzt ein neues Passwort und hebt eine Anmeldesperre auf.</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>Rolle:</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Gesperrt</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>Aktivieren</translation>
    </message>
    <message>
        <source>User {name} added.</source>
        <translation>Benutzer {name} hinzugefügt.</translation>
    </message>
    <message>
        <source>New password set for {name}.</source>
        <translation>Neues Passwort für {name} gesetzt.</translation>
    </message>
    <message>
        <source>{name} enabled.</source>
        <translation>{name} aktiviert.</translation>
    </message>
    <message>
        <source>{name} disabled.</source>
        <translation>{name} deaktiviert.</translation>
    </message>
    <message>
        <source>{name} is now {role}.</source>
        <translation>{name} ist jetzt {role}.</translation>
    </message>
</context>
<context>
    <name>_KeyRow</name>
    <message>
        <source>Paste the key from the gateway&apos;s control panel</source>
        <translation>Fügen Sie den Schlüssel aus dem Kontrollbereich des Gateways ein</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Keep the saved key (Esc)</source>
        <translation>Gespeicherten Schlüssel behalten (Esc)</translation>
    </message>
    <message>
        <source>Configured · fingerprint {fp}… — not on this workstation</source>
        <translation>Eingerichtet · Fingerabdruck {fp}… — nicht an diesem Arbeitsplatz</translation>
    </message>
    <message>
        <source>Configured · fingerprint {fp}…</source>
        <translation>Eingerichtet · Fingerabdruck {fp}…</translation>
    </message>
</context>
</TS>
