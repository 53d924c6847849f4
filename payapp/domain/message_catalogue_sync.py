"""Messages about syncing, the outbox and its problems, QuickBooks Desktop's Web Connector (services/sync/, outbox.py,
qbwc.py, qbwc_soap.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # payapp/services/sync/service.py SyncService._say, _on_threshold: progress and warnings while a sync runs
    "sync.connecting": "Connecting to Autotask…",
    "sync.reading_start": "Reading {entity}…",
    "sync.reading": "Reading {entity}: {done}",
    "sync.reading_of": "Reading {entity}: {done} of {total}",
    "sync.indexing_invoices": "Indexing invoices…",
    "sync.finished": "Sync finished.",
    "sync.api_use_high": "Autotask API use is at {used} of {limit} requests this hour (over 75%): the sync is slowing "
                         "down a lot to leave room for others.",
    "sync.api_use_half": "Autotask API use is at {used} of {limit} requests this hour (over 50%): the sync is slowing "
                         "down.",
    # what is being read ({entity} above): one per sync entity (services/sync/cursors.py ENTITIES)
    "sync_entity.companies": "companies",
    "sync_entity.contacts": "contacts",
    "sync_entity.contracts": "contracts",
    "sync_entity.tickets": "tickets",
    "sync_entity.invoices": "invoices",
    "sync_entity.billing_items": "billing items",
    # payapp/services/outbox.py (and qbwc.py, which sends the same jobs to QuickBooks Desktop): what a job does
    "job_kind.push_invoice": "Send invoice to QuickBooks",
    "job_kind.push_payment": "Send payment to QuickBooks",
    "job_kind.void_payment": "Void payment in QuickBooks",
    "job_kind.refund_payment": "Send refund to QuickBooks",
    "job_kind.reverse_returned": "Reverse returned eCheck in QuickBooks",
    "job_kind.mark_paid": "Mark invoice paid in Autotask",
    "job_kind.skipped_record": "Read record from Autotask",
    # ... why a job failed (Sync problems, a payment's sync jobs)
    "outbox.unknown_job_kind": "Unknown job kind {kind}.",
    "outbox.company_gone": "Company {company} is gone.",
    "outbox.invoice_gone": "Invoice {invoice} is gone.",
    "outbox.payment_gone": "Payment {payment} is gone.",
    "outbox.no_invoice": "The job names no invoice.",
    "outbox.waiting_for_payment": "waiting for the payment to reach QuickBooks",
    "outbox.payment_not_in_quickbooks": "The payment is not in QuickBooks yet (its push failed): fix that first.",
    "outbox.returned_echeck_deposited": "The returned eCheck was already deposited in QuickBooks, so PayApp cannot "
                                        "void it: record the bounced payment in QuickBooks by hand, then dismiss "
                                        "this.",
    "outbox.refund_no_amount": "The refund job has no amount.",
    "outbox.not_autotask_invoice": "Invoice {invoice} is not an Autotask invoice.",
    "outbox.unexpected_error": "Unexpected error: {error}",
    #: a job waiting for a setting: the connector's message as it is; the id marks the job as one (problems())
    "outbox.needs_setup": "{reason}",
    # ... retrying and dismissing a sync problem
    "outbox.problem_gone": "That sync problem is no longer open.",
    "outbox.dismiss_reason": "Say why this is dismissed (for example: entered in QuickBooks by hand).",
    "outbox.dismissed": "Dismissed: {reason}",
    # OutboxWorker.problems: what a sync problem is about ("Invoice 123 · Acme · $5.00"), from what is known
    "outbox.subject_invoice_company_amount": "Invoice {invoice} · {company} · {amount}",
    "outbox.subject_invoice_company": "Invoice {invoice} · {company}",
    "outbox.subject_invoice_amount": "Invoice {invoice} · {amount}",
    "outbox.subject_invoice": "Invoice {invoice}",
    "outbox.subject_company_amount": "{company} · {amount}",
    "outbox.subject_company": "{company}",
    "outbox.subject_amount": "{amount}",
    # payapp/services/qbwc.py: QuickBooks Desktop through the Web Connector (Admin › Connections, sync problems)
    "qbwc.https_only": "The Web Connector only calls an https address, or http://localhost on the same computer.",
    "qbwc.guids": "OwnerID and FileID must be GUIDs.",
    "qbwc.user_name": "Enter the user name the Web Connector signs in with.",
    "qbwc.port_range": "Choose a port from 1024 to 65535.",
    "qbwc.connector_choice": "Choose QuickBooks Online or QuickBooks Desktop.",
    "qbwc.password_length": "Use a password of at least 8 characters.",
    "qbwc.app_url_missing": "Enter the address the Web Connector calls first.",
    "qbwc.payment_not_in_quickbooks": "The payment is not in QuickBooks Desktop yet (its push failed): fix that "
                                      "first.",
    "qbwc.invoice_number_too_long": "Invoice number {number} is longer than QuickBooks Desktop's {characters} "
                                    "characters: enter it in QuickBooks by hand, then dismiss this.",
    "qbxml.answer_status": "QuickBooks Desktop: {message} (status {status})",
    "qbxml.no_message": "no message",
    "qbwc.record_keeps_changing": "{answer}: the record keeps changing in QuickBooks.",
    "qbwc.name_taken": "{answer}: a vendor, employee or inactive customer has the name; rename one of them in "
                       "QuickBooks, then retry.",
    "qbwc.customer_no_list_id": "QuickBooks Desktop added the customer but sent no ListID.",
    "qbwc.invoice_no_txn_id": "QuickBooks Desktop added the invoice but sent no TxnID.",
    "qbwc.payment_no_txn_id": "QuickBooks Desktop added the payment but sent no TxnID.",
    "qbwc.credit_memo_no_txn_id": "QuickBooks Desktop added the credit memo but sent no TxnID.",
    "qbwc.refund_no_txn_id": "QuickBooks Desktop added the refund but sent no TxnID.",
    "qbwc.invoice_number_other_customer": "QuickBooks Desktop has an invoice numbered {number} for another customer "
                                          "({customer}): check it, then retry or dismiss.",
    "qbwc.payment_gone_there": "The payment is no longer in QuickBooks Desktop (deleted there?): check it, then "
                               "dismiss this.",
    "qbwc.request_not_processed": "QuickBooks could not process the request ({code}): {message}",
    "qbwc.unasked_answer": "PayApp got an answer it did not ask for; the next session starts afresh.",
    "qbwc.connection_error": "The Web Connector could not reach QuickBooks ({code}): {message}",
    # payapp/connectors/accounting/qbxml.py: QuickBooks Desktop's answer read
    "qbxml.unreadable": "QuickBooks Desktop sent an answer PayApp cannot read.",
    "qbxml.mismatch": "QuickBooks Desktop answered another request.",
    # payapp/services/qbwc_soap.py: a call the Web Connector's SOAP face refuses (its fault text)
    "qbwc_soap.not_envelope": "Not a SOAP envelope.",
    "qbwc_soap.doctype": "Document type declarations are not accepted.",
    "qbwc_soap.malformed": "The SOAP envelope is not well-formed XML.",
    "qbwc_soap.body_empty": "The SOAP body is empty.",
    "qbwc_soap.unknown_method": "Unknown method {method}.",
}

GERMAN: dict[str, str] = {
    "sync.connecting": "Verbinde mit Autotask …",
    "sync.reading_start": "Lese {entity} …",
    "sync.reading": "Lese {entity}: {done}",
    "sync.reading_of": "Lese {entity}: {done} von {total}",
    "sync.indexing_invoices": "Indiziere Rechnungen …",
    "sync.finished": "Abgleich abgeschlossen.",
    "sync.api_use_high": "Die Autotask-API-Nutzung liegt in dieser Stunde bei {used} von {limit} Anfragen (über 75 %): "
                         "Der Abgleich wird stark verlangsamt, um anderen Platz zu lassen.",
    "sync.api_use_half": "Die Autotask-API-Nutzung liegt in dieser Stunde bei {used} von {limit} Anfragen (über 50 %): "
                         "Der Abgleich wird verlangsamt.",
    "sync_entity.companies": "Firmen",
    "sync_entity.contacts": "Kontakte",
    "sync_entity.contracts": "Verträge",
    "sync_entity.tickets": "Tickets",
    "sync_entity.invoices": "Rechnungen",
    "sync_entity.billing_items": "Rechnungspositionen",
    "job_kind.push_invoice": "Rechnung an QuickBooks senden",
    "job_kind.push_payment": "Zahlung an QuickBooks senden",
    "job_kind.void_payment": "Zahlung in QuickBooks stornieren",
    "job_kind.refund_payment": "Erstattung an QuickBooks senden",
    "job_kind.reverse_returned": "Zurückgegebenen eCheck in QuickBooks rückbuchen",
    "job_kind.mark_paid": "Rechnung in Autotask als bezahlt markieren",
    "job_kind.skipped_record": "Datensatz aus Autotask lesen",
    "outbox.unknown_job_kind": "Unbekannte Auftragsart {kind}.",
    "outbox.company_gone": "Firma {company} gibt es nicht mehr.",
    "outbox.invoice_gone": "Rechnung {invoice} gibt es nicht mehr.",
    "outbox.payment_gone": "Zahlung {payment} gibt es nicht mehr.",
    "outbox.no_invoice": "Der Auftrag nennt keine Rechnung.",
    "outbox.waiting_for_payment": "wartet, bis die Zahlung in QuickBooks ist",
    "outbox.payment_not_in_quickbooks": "Die Zahlung ist noch nicht in QuickBooks (ihre Übertragung ist "
                                        "fehlgeschlagen): Beheben Sie das zuerst.",
    "outbox.returned_echeck_deposited": "Der zurückgegebene eCheck wurde in QuickBooks bereits eingezahlt, daher kann "
                                        "PayApp ihn nicht stornieren: Erfassen Sie die geplatzte Zahlung in "
                                        "QuickBooks von Hand und verwerfen Sie dann diesen Eintrag.",
    "outbox.refund_no_amount": "Der Erstattungsauftrag hat keinen Betrag.",
    "outbox.not_autotask_invoice": "Rechnung {invoice} ist keine Autotask-Rechnung.",
    "outbox.unexpected_error": "Unerwarteter Fehler: {error}",
    "outbox.needs_setup": "{reason}",
    "outbox.problem_gone": "Dieses Abgleichsproblem ist nicht mehr offen.",
    "outbox.dismiss_reason": "Geben Sie an, warum dies verworfen wird (zum Beispiel: von Hand in QuickBooks erfasst).",
    "outbox.dismissed": "Verworfen: {reason}",
    "outbox.subject_invoice_company_amount": "Rechnung {invoice} · {company} · {amount}",
    "outbox.subject_invoice_company": "Rechnung {invoice} · {company}",
    "outbox.subject_invoice_amount": "Rechnung {invoice} · {amount}",
    "outbox.subject_invoice": "Rechnung {invoice}",
    "outbox.subject_company_amount": "{company} · {amount}",
    "outbox.subject_company": "{company}",
    "outbox.subject_amount": "{amount}",
    "qbwc.https_only": "Der Web Connector ruft nur eine https-Adresse auf oder http://localhost auf demselben "
                       "Computer.",
    "qbwc.guids": "OwnerID und FileID müssen GUIDs sein.",
    "qbwc.user_name": "Geben Sie den Benutzernamen ein, mit dem sich der Web Connector anmeldet.",
    "qbwc.port_range": "Wählen Sie einen Port von 1024 bis 65535.",
    "qbwc.connector_choice": "Wählen Sie QuickBooks Online oder QuickBooks Desktop.",
    "qbwc.password_length": "Verwenden Sie ein Passwort mit mindestens 8 Zeichen.",
    "qbwc.app_url_missing": "Geben Sie zuerst die Adresse ein, die der Web Connector aufruft.",
    "qbwc.payment_not_in_quickbooks": "Die Zahlung ist noch nicht in QuickBooks Desktop (ihre Übertragung ist "
                                      "fehlgeschlagen): Beheben Sie das zuerst.",
    "qbwc.invoice_number_too_long": "Die Rechnungsnummer {number} ist länger als die {characters} Zeichen von "
                                    "QuickBooks Desktop: Erfassen Sie sie von Hand in QuickBooks und verwerfen Sie "
                                    "dies dann.",
    "qbxml.answer_status": "QuickBooks Desktop: {message} (Status {status})",
    "qbxml.no_message": "keine Meldung",
    "qbwc.record_keeps_changing": "{answer}: Der Datensatz ändert sich in QuickBooks ständig.",
    "qbwc.name_taken": "{answer}: Ein Lieferant, Mitarbeiter oder inaktiver Kunde trägt den Namen; benennen Sie einen "
                       "davon in QuickBooks um und versuchen Sie es dann erneut.",
    "qbwc.customer_no_list_id": "QuickBooks Desktop hat den Kunden angelegt, aber keine ListID gesendet.",
    "qbwc.invoice_no_txn_id": "QuickBooks Desktop hat die Rechnung angelegt, aber keine TxnID gesendet.",
    "qbwc.payment_no_txn_id": "QuickBooks Desktop hat die Zahlung angelegt, aber keine TxnID gesendet.",
    "qbwc.credit_memo_no_txn_id": "QuickBooks Desktop hat die Gutschrift angelegt, aber keine TxnID gesendet.",
    "qbwc.refund_no_txn_id": "QuickBooks Desktop hat die Erstattung angelegt, aber keine TxnID gesendet.",
    "qbwc.invoice_number_other_customer": "QuickBooks Desktop hat eine Rechnung mit der Nummer {number} für einen "
                                          "anderen Kunden ({customer}): Prüfen Sie sie und wiederholen oder verwerfen "
                                          "Sie dann.",
    "qbwc.payment_gone_there": "Die Zahlung ist nicht mehr in QuickBooks Desktop (dort gelöscht?): Prüfen Sie sie und "
                               "verwerfen Sie dies dann.",
    "qbwc.request_not_processed": "QuickBooks konnte die Anfrage nicht verarbeiten ({code}): {message}",
    "qbwc.unasked_answer": "PayApp hat eine Antwort erhalten, um die es nicht gebeten hat; die nächste Sitzung beginnt "
                           "neu.",
    "qbwc.connection_error": "Der Web Connector konnte QuickBooks nicht erreichen ({code}): {message}",
    "qbxml.unreadable": "QuickBooks Desktop hat eine Antwort gesendet, die PayApp nicht lesen kann.",
    "qbxml.mismatch": "QuickBooks Desktop hat auf eine andere Anfrage geantwortet.",
    "qbwc_soap.not_envelope": "Kein SOAP-Umschlag.",
    "qbwc_soap.doctype": "Dokumenttyp-Deklarationen werden nicht angenommen.",
    "qbwc_soap.malformed": "Der SOAP-Umschlag ist kein wohlgeformtes XML.",
    "qbwc_soap.body_empty": "Der SOAP-Body ist leer.",
    "qbwc_soap.unknown_method": "Unbekannte Methode {method}.",
}
