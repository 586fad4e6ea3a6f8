"""`revu providers` (owned by the gateway work; placeholder until it lands)."""
