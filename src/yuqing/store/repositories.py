"""Every area's repository over one source of connections (the Store, or a transaction)."""

from __future__ import annotations

from yuqing.store.accounts import AccountsRepository
from yuqing.store.alerts import AlertsRepository
from yuqing.store.cases import CasesRepository
from yuqing.store.collection import CollectionRepository
from yuqing.store.events import EventsRepository
from yuqing.store.health import SourcesRepository
from yuqing.store.items import ItemsRepository
from yuqing.store.petitions import PetitionsRepository
from yuqing.store.reports import ReportsRepository
from yuqing.store.repository import Connections, OneConnection


class Repositories:
    """One repository per area, all bound to ``connections``."""

    def __init__(self, connections: Connections) -> None:
        """Build every area's repository on ``connections``."""
        self.items = ItemsRepository(connections)
        self.events = EventsRepository(connections)
        self.alerts = AlertsRepository(connections)
        self.cases = CasesRepository(connections)
        self.petitions = PetitionsRepository(connections)
        self.reports = ReportsRepository(connections)
        self.accounts = AccountsRepository(connections)
        self.sources = SourcesRepository(connections)
        self.collection = CollectionRepository(connections)


class Transaction(Repositories):
    """The repositories of one open transaction: every call shares its connection and
    they commit (or roll back on an exception) together. Get one from
    ``Store.transaction()`` (writes) or ``Store.snapshot()`` (consistent reads)."""

    def __init__(self, connections: OneConnection) -> None:
        """Bind every repository to the transaction's one connection."""
        super().__init__(connections)
