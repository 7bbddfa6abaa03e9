"""Syndication: the items behind the RSS, Atom and JSON Feed documents."""

from api.domain.syndication.items import Syndication, syndication

__all__ = ["Syndication", "syndication"]
