"""Payments: the gateway interface and its Stripe, PromptPay and cash-on-delivery gateways."""
