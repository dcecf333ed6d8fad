"""Inventory in the privacy registry: a warehouse's address is a business address, not a
person's; a staff member's warehouse assignments are theirs."""

from tridex.privacy.registry import Erasure, registry

registry.declare_no_personal_data(
    "inventory.Warehouse", reason="A warehouse's address belongs to the business, not a person."
)
registry.register(
    "inventory.WarehouseAssignment",
    owner="user",
    fields=("warehouse", "created_at"),
    erasure=Erasure.DELETE,
)
