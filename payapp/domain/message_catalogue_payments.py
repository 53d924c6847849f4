"""Messages about taking, voiding and refunding payments, their results and timeline, money-safety flags
(services/payments/, payment_search.py, refund_approvals.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # payapp/services/payments/decisions.py _message: the result of taking a payment (the banner)
    "payment_result.approved": "Payment of {amount} approved (transaction {transaction}).",
    "payment_result.approved_late": "Payment of {amount} approved (transaction {transaction}), after PayApp had "
                                    "marked it failed. Check whether the customer paid again, and refund one of the "
                                    "payments if so.",
    # an approved eCheck or SEPA debit is not money in the bank yet (issue #15.6)
    "payment_result.echeck_accepted": "eCheck payment of {amount} accepted (transaction {transaction}) and pending "
                                      "settlement: the money arrives in a few business days, and the bank can still "
                                      "return it.",
    "payment_result.sepa_accepted": "SEPA direct debit of {amount} accepted (transaction {transaction}) and pending "
                                    "settlement: the money arrives in a few business days, and the debtor's bank can "
                                    "still return it.",
    "payment_result.bank_declined": "The bank account payment of {amount} was declined ({reason}). Check the routing "
                                    "and account numbers, or use another payment method.",
    "payment_result.card_declined": "The card was declined ({reason}). Ask the customer for another card, or to call "
                                    "their bank, then try again.",
    "payment_result.rate_limited": "The gateway is receiving too many requests right now, so nothing was charged. "
                                   "Wait a minute, then try again.",
    "payment_result.duplicate": "The gateway refused this payment as a duplicate: the same card or account was "
                                "charged {amount} a short time ago. Nothing was charged now. Check the customer's "
                                "recent payments; to charge the same amount again, wait about 20 minutes and try "
                                "again.",
    "payment_result.key_refused": "The gateway refused PayApp's key, so nothing was charged. An admin must check the "
                                  "gateway keys in Admin.",
    "payment_result.not_taken": "The gateway did not take the payment ({reason}). Nothing was charged. Check the "
                                "details and try again.",
    "payment_result.unconfirmed": "The gateway has not confirmed the payment of {amount} yet. Do not take it again: "
                                  "PayApp keeps checking by its order id ({order_id}) and will update it, and the "
                                  "invoice holds the amount until then.",
    # why a payment failed when the gateway said nothing itself (kept as the payment's response text)
    "payment_result.unreachable": "The gateway could not be reached; nothing was charged.",
    "payment_result.not_asked": "The gateway could not be asked.",
    "payment_result.no_transaction": "The gateway has no transaction for this payment; nothing was charged.",
    "payment_result.held_up": "PayApp was held up too long before sending this payment (the computer was busy, "
                              "paused or asleep), so it was not sent and nothing was charged. Take it again if the "
                              "customer still wants to pay.",
    "payment_result.no_hosted_page": "{gateway} has no payment page of its own.",
    "payment_result.hosted_not_opened": "The payment page could not be opened ({reason}); nothing was charged.",
    "payment_result.hosted_page_not_opened_reason": "the gateway did not open its payment page",
    "payment_result.gateway_no_page": "The gateway has no payment page.",
    "payment_result.payer_cancelled": "The payer cancelled on the payment page; nothing was charged.",
    # payapp/services/payments/taking.py: a card whose CVV did not match, voided at once (Admin's setting)
    "payment_result.cvv_voided": "The card's security code (CVV) did not match, so PayApp voided the payment of "
                                 "{amount} at once: nothing was charged. Ask the customer to check the code, or use "
                                 "another card.",
    "payment_result.cvv_not_voided": "The card's security code (CVV) did not match, but PayApp could not void the "
                                     "payment of {amount} at once ({reason}). It is still charged: void it in "
                                     "Payment Search.",
    "refund_reason.cvv_mismatch": "The card's security code (CVV) did not match.",
    # payapp/services/payments/refunds.py: the result of a void or refund
    "refund_result.void_done": "Void of {amount} done.",
    "refund_result.refund_done": "Refund of {amount} done.",
    "refund_result.void_declined": "The gateway declined the void ({reason}).",
    "refund_result.refund_declined": "The gateway declined the refund ({reason}).",
    "refund_result.void_error": "The gateway did not do the void ({reason}). Nothing was changed.",
    "refund_result.refund_error": "The gateway did not do the refund ({reason}). Nothing was changed.",
    "refund_result.void_unconfirmed": "The gateway has not confirmed the void of {amount} yet. Do not repeat it: "
                                      "PayApp keeps checking and will update it.",
    "refund_result.refund_unconfirmed": "The gateway has not confirmed the refund of {amount} yet. Do not repeat it: "
                                        "PayApp keeps checking and will update it.",
    "refund_result.rate_limited": "The gateway is receiving too many requests right now, so nothing was changed. "
                                  "Wait a minute, then try again.",
    "refund_result.unreachable": "The gateway could not be reached; nothing was changed.",
    "refund_result.held_up": "PayApp was held up too long before sending this void or refund, so it was not sent "
                             "and nothing was changed. Try again.",
    "refund_result.void_not_found": "The gateway shows no such void; nothing was changed.",
    "refund_result.refund_not_found": "The gateway shows no such refund; nothing was changed.",
    # money safety (issue #12): why a person must look at a payment (Payment.attention)
    "attention.void_completed_late": "The gateway completed this void after PayApp had marked it failed. Check the "
                                     "payment's refunds.",
    "attention.refund_completed_late": "The gateway completed this refund after PayApp had marked it failed. Check "
                                       "the payment's refunds.",
    "attention.approved_late": "The gateway approved this payment after PayApp had marked it failed. Check whether "
                               "the customer paid again, and refund one of the payments if so.",
    "attention.returned_after_refund": "The bank returned this eCheck after {amount} of it was refunded: the "
                                       "customer may have been paid back twice.",
    "attention.returned_and_voided": "The bank returned this eCheck and the void of {amount} was also completed: "
                                     "the customer may have been paid back twice.",
    "attention.returned_and_refunded": "The bank returned this eCheck and the refund of {amount} was also "
                                       "completed: the customer may have been paid back twice.",
    "attention.payment_check_failed": "PayApp could not finish checking this payment with the gateway ({reason}). "
                                      "Check it in the gateway's portal.",
    "attention.refund_check_failed": "PayApp could not finish checking a refund of this payment with the gateway "
                                     "({reason}). Check it in the gateway's portal.",
    # payapp/services/payment_search.py: a payment's timeline (Payment details)
    "timeline.created": "Payment started",
    "timeline.declined": "Declined by the gateway",
    "timeline.error": "Failed",
    "timeline.approved": "Approved by the gateway",
    "timeline.settled": "Settled",
    "timeline.voided": "Voided",
    "timeline.void_pending": "Void pending",
    "timeline.void_declined": "Void declined",
    "timeline.void_error": "Void error",
    "timeline.void_unknown": "Void unknown",
    "timeline.refunded": "Refunded",
    "timeline.refund_pending": "Refund pending",
    "timeline.refund_declined": "Refund declined",
    "timeline.refund_error": "Refund error",
    "timeline.refund_unknown": "Refund unknown",
    "timeline.returned": "Returned by the bank",
}

GERMAN: dict[str, str] = {
    "payment_result.approved": "Zahlung über {amount} genehmigt (Transaktion {transaction}).",
    "payment_result.approved_late": "Zahlung über {amount} genehmigt (Transaktion {transaction}), nachdem PayApp sie "
                                    "als fehlgeschlagen markiert hatte. Prüfen Sie, ob der Kunde erneut gezahlt hat, "
                                    "und erstatten Sie in diesem Fall eine der Zahlungen.",
    "payment_result.echeck_accepted": "eCheck-Zahlung über {amount} angenommen (Transaktion {transaction}), "
                                      "Abrechnung ausstehend: Das Geld kommt in einigen Werktagen an, und die Bank "
                                      "kann die Lastschrift noch zurückgeben.",
    "payment_result.sepa_accepted": "SEPA-Lastschrift über {amount} angenommen (Transaktion {transaction}), "
                                    "Abrechnung ausstehend: Das Geld kommt in einigen Bankarbeitstagen an, und die "
                                    "Bank des Zahlungspflichtigen kann sie noch zurückgeben.",
    "payment_result.bank_declined": "Die Zahlung über {amount} vom Bankkonto wurde abgelehnt ({reason}). Prüfen Sie "
                                    "Bankleitzahl und Kontonummer oder verwenden Sie ein anderes Zahlungsmittel.",
    "payment_result.card_declined": "Die Karte wurde abgelehnt ({reason}). Bitten Sie den Kunden um eine andere "
                                    "Karte oder darum, seine Bank anzurufen, und versuchen Sie es dann erneut.",
    "payment_result.rate_limited": "Das Gateway erhält gerade zu viele Anfragen, daher wurde nichts belastet. Warten "
                                   "Sie eine Minute und versuchen Sie es dann erneut.",
    "payment_result.duplicate": "Das Gateway hat diese Zahlung als Duplikat abgelehnt: Dieselbe Karte bzw. dasselbe "
                                "Konto wurde vor kurzem mit {amount} belastet. Jetzt wurde nichts belastet. Prüfen "
                                "Sie die letzten Zahlungen des Kunden; um denselben Betrag noch einmal zu belasten, "
                                "warten Sie etwa 20 Minuten und versuchen Sie es dann erneut.",
    "payment_result.key_refused": "Das Gateway hat den Schlüssel von PayApp abgelehnt, daher wurde nichts belastet. "
                                  "Ein Administrator muss die Gateway-Schlüssel in der Verwaltung prüfen.",
    "payment_result.not_taken": "Das Gateway hat die Zahlung nicht angenommen ({reason}). Nichts wurde belastet. "
                                "Prüfen Sie die Angaben und versuchen Sie es erneut.",
    "payment_result.unconfirmed": "Das Gateway hat die Zahlung über {amount} noch nicht bestätigt. Erfassen Sie sie "
                                  "nicht noch einmal: PayApp prüft weiter anhand der Auftrags-ID ({order_id}) und "
                                  "aktualisiert sie; bis dahin hält die Rechnung den Betrag zurück.",
    "payment_result.unreachable": "Das Gateway war nicht erreichbar; nichts wurde belastet.",
    "payment_result.not_asked": "Das Gateway konnte nicht befragt werden.",
    "payment_result.no_transaction": "Das Gateway hat keine Transaktion zu dieser Zahlung; nichts wurde belastet.",
    "payment_result.held_up": "PayApp wurde zu lange aufgehalten, bevor diese Zahlung gesendet werden konnte (der "
                              "Computer war ausgelastet, angehalten oder im Ruhezustand). Sie wurde daher nicht "
                              "gesendet, und es wurde nichts belastet. Nehmen Sie sie erneut entgegen, wenn der Kunde "
                              "noch zahlen möchte.",
    "payment_result.no_hosted_page": "{gateway} hat keine eigene Zahlungsseite.",
    "payment_result.hosted_not_opened": "Die Zahlungsseite konnte nicht geöffnet werden ({reason}); nichts wurde "
                                        "belastet.",
    "payment_result.hosted_page_not_opened_reason": "das Gateway hat seine Zahlungsseite nicht geöffnet",
    "payment_result.gateway_no_page": "Das Gateway hat keine Zahlungsseite.",
    "payment_result.payer_cancelled": "Der Zahler hat auf der Zahlungsseite abgebrochen; nichts wurde belastet.",
    "payment_result.cvv_voided": "Der Sicherheitscode (CVV) der Karte stimmte nicht überein, daher hat PayApp die "
                                 "Zahlung über {amount} sofort storniert: Es wurde nichts belastet. Bitten Sie den "
                                 "Kunden, den Code zu prüfen, oder verwenden Sie eine andere Karte.",
    "payment_result.cvv_not_voided": "Der Sicherheitscode (CVV) der Karte stimmte nicht überein, aber PayApp konnte "
                                     "die Zahlung über {amount} nicht sofort stornieren ({reason}). Sie ist weiterhin "
                                     "belastet: Stornieren Sie sie in der Zahlungssuche.",
    "refund_reason.cvv_mismatch": "Der Sicherheitscode (CVV) der Karte stimmte nicht überein.",
    "refund_result.void_done": "Storno über {amount} erledigt.",
    "refund_result.refund_done": "Erstattung über {amount} erledigt.",
    "refund_result.void_declined": "Das Gateway hat das Storno abgelehnt ({reason}).",
    "refund_result.refund_declined": "Das Gateway hat die Erstattung abgelehnt ({reason}).",
    "refund_result.void_error": "Das Gateway hat das Storno nicht ausgeführt ({reason}). Nichts wurde geändert.",
    "refund_result.refund_error": "Das Gateway hat die Erstattung nicht ausgeführt ({reason}). Nichts wurde "
                                  "geändert.",
    "refund_result.void_unconfirmed": "Das Gateway hat das Storno über {amount} noch nicht bestätigt. Wiederholen Sie "
                                      "es nicht: PayApp prüft weiter und aktualisiert es.",
    "refund_result.refund_unconfirmed": "Das Gateway hat die Erstattung über {amount} noch nicht bestätigt. "
                                        "Wiederholen Sie sie nicht: PayApp prüft weiter und aktualisiert sie.",
    "refund_result.rate_limited": "Das Gateway erhält gerade zu viele Anfragen, daher wurde nichts geändert. Warten "
                                  "Sie eine Minute und versuchen Sie es dann erneut.",
    "refund_result.unreachable": "Das Gateway war nicht erreichbar; nichts wurde geändert.",
    "refund_result.held_up": "PayApp wurde zu lange aufgehalten, bevor diese Stornierung oder Erstattung gesendet "
                             "werden konnte. Sie wurde daher nicht gesendet, und es wurde nichts geändert. Versuchen "
                             "Sie es erneut.",
    "refund_result.void_not_found": "Das Gateway kennt kein solches Storno; nichts wurde geändert.",
    "refund_result.refund_not_found": "Das Gateway kennt keine solche Erstattung; nichts wurde geändert.",
    "attention.void_completed_late": "Das Gateway hat diese Stornierung ausgeführt, nachdem PayApp sie als "
                                     "fehlgeschlagen markiert hatte. Prüfen Sie die Erstattungen der Zahlung.",
    "attention.refund_completed_late": "Das Gateway hat diese Erstattung ausgeführt, nachdem PayApp sie als "
                                       "fehlgeschlagen markiert hatte. Prüfen Sie die Erstattungen der Zahlung.",
    "attention.approved_late": "Das Gateway hat diese Zahlung genehmigt, nachdem PayApp sie als fehlgeschlagen "
                               "markiert hatte. Prüfen Sie, ob der Kunde erneut gezahlt hat, und erstatten Sie in "
                               "diesem Fall eine der Zahlungen.",
    "attention.returned_after_refund": "Die Bank hat diesen eCheck zurückgegeben, nachdem {amount} davon erstattet "
                                       "worden war: Der Kunde hat das Geld möglicherweise zweimal zurückerhalten.",
    "attention.returned_and_voided": "Die Bank hat diesen eCheck zurückgegeben, und die Stornierung über {amount} "
                                     "wurde ebenfalls ausgeführt: Der Kunde hat das Geld möglicherweise zweimal "
                                     "zurückerhalten.",
    "attention.returned_and_refunded": "Die Bank hat diesen eCheck zurückgegeben, und die Erstattung über {amount} "
                                       "wurde ebenfalls ausgeführt: Der Kunde hat das Geld möglicherweise zweimal "
                                       "zurückerhalten.",
    "attention.payment_check_failed": "PayApp konnte die Prüfung dieser Zahlung beim Gateway nicht abschließen "
                                      "({reason}). Prüfen Sie sie im Portal des Gateways.",
    "attention.refund_check_failed": "PayApp konnte die Prüfung einer Erstattung dieser Zahlung beim Gateway nicht "
                                     "abschließen ({reason}). Prüfen Sie sie im Portal des Gateways.",
    "timeline.created": "Zahlung begonnen",
    "timeline.declined": "Vom Gateway abgelehnt",
    "timeline.error": "Fehlgeschlagen",
    "timeline.approved": "Vom Gateway genehmigt",
    "timeline.settled": "Abgerechnet",
    "timeline.voided": "Storniert",
    "timeline.void_pending": "Storno ausstehend",
    "timeline.void_declined": "Storno abgelehnt",
    "timeline.void_error": "Storno fehlgeschlagen",
    "timeline.void_unknown": "Storno wird geprüft",
    "timeline.refunded": "Erstattet",
    "timeline.refund_pending": "Erstattung ausstehend",
    "timeline.refund_declined": "Erstattung abgelehnt",
    "timeline.refund_error": "Erstattung fehlgeschlagen",
    "timeline.refund_unknown": "Erstattung wird geprüft",
    "timeline.returned": "Von der Bank zurückgegeben",
}
