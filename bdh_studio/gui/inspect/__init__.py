"""The Inspect tab: a book model's activity on a text, its neurons, concepts and graph."""
