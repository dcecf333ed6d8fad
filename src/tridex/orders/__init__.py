"""Orders: numbers, the state machine, line snapshots, shipments, refunds and the timeline."""
