"""Warehouses in the privacy registry: their address is a business address, not a person's."""

from tridex.privacy.registry import registry

registry.declare_no_personal_data(
    "inventory.Warehouse", reason="A warehouse's address belongs to the business, not a person."
)
