"""The bookmarks domain: what a bookmark is, what users may do with one, and how it is stored.

Handlers import the modules they need (``from bookmarks import library``); nothing here touches AWS or
the environment at import time.
"""
