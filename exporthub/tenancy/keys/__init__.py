"""API keys: issuing one (page and command) and the page that lists and revokes them."""
