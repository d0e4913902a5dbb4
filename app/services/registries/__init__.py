"""The standard's registries, written by processes through whitelisted service tasks (one module each)."""
