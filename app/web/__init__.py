"""Web plumbing around the views: the request layers and everything they install (security
headers, the encrypted cookie session, CSRF and cross-site checks, body limits, compression,
rate limits, the request log), error pages, language negotiation, health probes, fingerprinted static
files and the base form. Nothing here knows about scores or counters; app/web/layers.py lists the order."""
