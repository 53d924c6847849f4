"""The sandboxes' made-up demo sign-in values, in a module of their own: the desktop demo saves them while it
starts, and importing payapp.sandbox.gateway/autotask/quickbooks (and Starlette) for a few strings cost
~50 ms of that. Fake values, not secrets: the sandboxes accept them and no real service does."""

# the gateway sandbox
DEMO_SECURITY_KEY = "demo-sandbox-security-key-6457Hq2A"      # fake: the sandbox's own demo key
DEMO_PUBLIC_KEY = "demo-sandbox-tokenization-key-9XkR2p"       # fake: a Collect.js tokenization key

# the Autotask sandbox
DEMO_API_USER = "payapp-demo@sandbox.autotask.example"
DEMO_SECRET = "demo-autotask-secret"
DEMO_INTEGRATION_CODE = "DEMOINTEGRATIONCODE"

# the QuickBooks sandbox
DEMO_CLIENT_ID = "demo-quickbooks-client"
DEMO_CLIENT_SECRET = "demo-quickbooks-client-secret"
DEMO_REFUND_ACCOUNT = ("35", "Checking")      # a bank account of the demo company (Id, name)

# the QuickBooks Web Connector (QuickBooks Desktop): the demo's Web Connector password (fake)
DEMO_QBWC_PASSWORD = "payapp-demo-web-connector"

# Concardis PayEngine's sandbox (HTTP Basic: merchant id and API key; fake)
DEMO_MERCHANT_ID = "Merchant-payapp-sandbox-0001"
DEMO_API_KEY = "payengine-sandbox-api-key-5d41402abc4b"

# PayPal's NVP sandbox (API username, password and signature; fake)
DEMO_API_USERNAME = "payapp-merchant_api1.sandbox.payapp.test"
DEMO_API_PASSWORD = "SBX7Q2W9E4R1T6Y3"
DEMO_API_SIGNATURE = "AFcWxV21C7fd0v3bYYYRCpSSRl31A.sandbox-payapp-signature-Qz8"
