"""Every area's repository over one source of connections (the Store, or a transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection

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
from yuqing.store.scaleout import ScaleoutRepository
from yuqing.store.settings import SettingsRepository
from yuqing.store.summaries import SummariesRepository
from yuqing.store.upward import UpwardRepository


class Repositories:
    """One repository per area, all bound to ``connections``."""

    def __init__(self, connections: Connections) -> None:
        """Build every area's repository on ``connections``."""
        self.connections = connections
        self.items = ItemsRepository(connections)
        self.events = EventsRepository(connections)
        self.alerts = AlertsRepository(connections)
        self.cases = CasesRepository(connections)
        self.petitions = PetitionsRepository(connections)
        self.reports = ReportsRepository(connections)
        self.accounts = AccountsRepository(connections)
        self.sources = SourcesRepository(connections)
        self.collection = CollectionRepository(connections)
        self.summaries = SummariesRepository(connections)
        self.shared = ScaleoutRepository(connections)
        self.upward = UpwardRepository(connections)
        self.settings = SettingsRepository(connections)


class Transaction(Repositories):
    """The repositories of one open transaction: every call shares its connection and
    they commit (or roll back on an exception) together. Get one from
    ``Store.transaction()`` (writes) or ``Store.snapshot()`` (consistent reads)."""

    def __init__(self, connections: OneConnection) -> None:
        """Bind every repository to the transaction's one connection."""
        super().__init__(connections)


class View(Repositories):
    """Every repository on connections that can be switched for the length of a block:
    the Store's by default, a transaction's inside :meth:`using`. The pipeline hands
    its stages ports from a view, so the same port reads and writes inside the
    batch's shared-state transaction (store/scaleout.py). Not thread-safe: one user."""

    def __init__(self, default: Connections) -> None:
        """Bind every repository to ``default`` until :meth:`using` switches them."""
        self._switch = Switch(default)
        super().__init__(self._switch)

    @contextmanager
    def using(self, other: Repositories) -> Iterator[None]:
        """Run the block with every repository on ``other``'s connections."""
        previous, self._switch.target = self._switch.target, other.connections
        try:
            yield
        finally:
            self._switch.target = previous


class Switch:
    """``Connections`` that hand out those of ``target`` (see :class:`View`)."""

    def __init__(self, target: Connections) -> None:
        """Delegate to ``target``."""
        self.target = target

    def read(self) -> AbstractContextManager[Connection]:
        """Return ``target``'s read connection."""
        return self.target.read()

    def write(self) -> AbstractContextManager[Connection]:
        """Return ``target``'s write connection."""
        return self.target.write()
