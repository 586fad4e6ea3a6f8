"""`revu test` (owned by the gateway work; placeholder until it lands)."""
