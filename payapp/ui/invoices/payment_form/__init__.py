"""The parts of the Make a Payment window (payapp.ui.invoices.payment_dialog): one form for each way to pay
(card, bank account, SEPA direct debit), the saved-method chooser, the agreement boxes, and the labelled field
with its validation message that they are all built from."""
