"""Analytics over stored items: threads and origins (later: trends, distributions)."""
