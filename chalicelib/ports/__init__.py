"""Ports: the interfaces use cases call for what lives outside them (the sync queue, QBO token storage); adapters
implement them and chalicelib/bootstrap.py plugs them in at start-up. A port imports nothing but the domain."""
