"""The site's one app label, `tracking_site`, holds every feature's models and their migrations.

Each feature defines its own models in its folder (following/, postplus_feed/, estimates/), installed as an app
of its own, so Django loads them; this module makes `tracking_site` an app with models (its migrations, content
types and permissions), and imports none of them.
"""
