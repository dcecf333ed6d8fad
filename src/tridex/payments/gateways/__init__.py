"""Payment gateways behind one interface (``base.Gateway``)."""
