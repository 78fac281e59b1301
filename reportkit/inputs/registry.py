"""The one city-peer rule: which registered counties belong together.

A county's peers are the registered counties of its city, itself included, in the registry's
order; a county the registry does not know is its own only peer. City ranks are computed over a
county's peers, a county's report reads (and is rebuilt for) its peers' rows, and the city view
lists a city's units — all from this one rule, over the registry's (slug, city) pairs."""
from __future__ import annotations

from typing import Iterable


class CityPeers:
    def __init__(self, members: Iterable[tuple[str, str]]):
        self._city: dict[str, str] = {}
        self._units: dict[str, list[str]] = {}
        for slug, city in members:
            if slug:
                self._city[slug] = city
                self._units.setdefault(city, []).append(slug)

    def units(self, city: str) -> list[str]:
        """The registered counties of ``city`` in the registry's order ([] for an unknown city)."""
        return list(self._units.get(city, ()))

    def peers(self, county: str) -> list[str]:
        """``county`` and the other registered counties of its city."""
        city = self._city.get(county)
        return self.units(city) if city else [county]
