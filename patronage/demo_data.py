"""A realistic demo store, generated deterministically (same seed, same store)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

FIRST = [
    "Ana",
    "Luca",
    "Mia",
    "Noah",
    "Emma",
    "Hugo",
    "Lea",
    "Jonas",
    "Sofia",
    "Liam",
    "Chloe",
    "Mateo",
    "Ines",
    "Oscar",
    "Nora",
    "Elias",
    "Lina",
    "Theo",
    "Zoe",
    "Paul",
    "Clara",
    "Adam",
]
LAST = [
    "Lima",
    "Rossi",
    "Martin",
    "Muller",
    "Garcia",
    "Dubois",
    "Smith",
    "Bernard",
    "Ferrari",
    "Schmidt",
    "Lopez",
    "Moreau",
    "Brown",
    "Weber",
    "Costa",
    "Laurent",
    "Fischer",
    "Silva",
]
PLACES = [
    ("FR", "Paris", "fr-FR", "Europe/Paris", "+3361234"),
    ("FR", "Lyon", "fr-FR", "Europe/Paris", "+3361235"),
    ("DE", "Berlin", "de-DE", "Europe/Berlin", "+491512345"),
    ("GB", "London", "en-GB", "Europe/London", "+44791112"),
    ("IT", "Milano", "it-IT", "Europe/Rome", "+39347123"),
    ("ES", "Madrid", "es-ES", "Europe/Madrid", "+3461234"),
    ("US", "New York", "en-US", "America/New_York", "+1212736"),
]
CATALOG = [
    ("TEE-1", "Organic tee", "tops", 2900),
    ("TEE-2", "Striped tee", "tops", 3400),
    ("HOOD-1", "Hoodie", "tops", 7900),
    ("JEAN-1", "Slim jeans", "bottoms", 8900),
    ("SKIRT-1", "Linen skirt", "bottoms", 6500),
    ("SNEAK-1", "Sneakers", "shoes", 11900),
    ("BOOT-1", "Leather boots", "shoes", 18900),
    ("BAG-1", "Tote bag", "accessories", 4500),
    ("CAP-1", "Cap", "accessories", 2500),
    ("COAT-1", "Wool coat", "outerwear", 24900),
]
CHANNELS = ("shopify", "tmall")


@dataclass
class DemoLine:
    sku: str
    name: str
    category: str
    quantity: int
    unit_price: int


@dataclass
class DemoOrder:
    external_id: str
    channel: str
    placed_at: datetime
    lines: list[DemoLine]
    status: str = "PAID"
    refund: int = 0  # minor units refunded afterwards

    @property
    def total(self) -> int:
        return sum(line.quantity * line.unit_price for line in self.lines)


@dataclass
class DemoCustomer:
    email: str
    first_name: str
    last_name: str
    phone: str
    country: str
    city: str
    locale: str
    timezone: str
    birthday: date
    gender: str
    identities: list[tuple[str, str]]
    email_consent: str | None
    sms_consent: str | None
    orders: list[DemoOrder] = field(default_factory=list)
    reviews: list[tuple[str, int]] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    cart: str | None = None
    signed_up: datetime | None = None
    pages: list[str] = field(default_factory=list)
    checkout_started: bool = False
    custom: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def generate(count: int = 250, *, seed: int = 7, now: datetime | None = None) -> list[DemoCustomer]:
    rng = random.Random(seed)
    # Browsing gets its own sequence, so adding to it leaves customers and orders as they are.
    browsing = random.Random(seed + 1)
    now = now or datetime.now(UTC)
    customers: list[DemoCustomer] = []
    order_no = 1000
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        country, city, locale, zone, phone_prefix = rng.choice(PLACES)
        channels = rng.choice([("shopify",), ("tmall",), ("shopify", "tmall")])
        identities = [(c, f"{c[:2]}-{10_000 + i}") for c in channels]
        customer = DemoCustomer(
            email=f"{first.lower()}.{last.lower()}.{i}@example.com",
            first_name=first,
            last_name=last,
            phone=f"{phone_prefix}{rng.randint(1000, 9999)}",
            country=country,
            city=city,
            locale=locale,
            timezone=zone,
            birthday=date(rng.randint(1955, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            gender=rng.choice(["FEMALE", "MALE", "OTHER", "UNDISCLOSED"]),
            identities=identities,
            email_consent=rng.choices(["SUBSCRIBED", "UNSUBSCRIBED", None], [70, 15, 15])[0],
            sms_consent=rng.choices(["SUBSCRIBED", "PENDING", None], [30, 10, 60])[0],
        )
        # Most customers buy a few times over two years; a long tail buys a lot.
        orders = rng.choices([0, 1, 2, 3, 5, 8, 12], [15, 25, 20, 15, 12, 9, 4])[0]
        for _ in range(orders):
            order_no += 1
            items = rng.sample(CATALOG, rng.randint(1, 3))
            placed = now - timedelta(days=rng.uniform(1, 730), minutes=rng.randint(0, 1440))
            order = DemoOrder(
                external_id=str(order_no),
                channel=rng.choice(channels),
                placed_at=placed,
                lines=[
                    DemoLine(sku, name, cat, rng.randint(1, 2), price)
                    for sku, name, cat, price in items
                ],
            )
            roll = rng.random()
            if roll < 0.03:
                order.status = "CANCELLED"
            elif roll < 0.10:
                order.refund = order.total if rng.random() < 0.4 else order.total // 3
            customer.orders.append(order)
        for order in customer.orders[:2]:
            if rng.random() < 0.3:
                customer.reviews.append(
                    (order.lines[0].sku, rng.choices([1, 2, 3, 4, 5], [5, 5, 15, 35, 40])[0])
                )
        customer.views = [rng.choice(CATALOG)[0] for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.15:
            customer.cart = rng.choice(CATALOG)[0]
        _browse(customer, browsing)
        customer.signed_up = _sign_up(customer, now, browsing)
        customers.append(customer)
    return customers


PAGES = ("/", "/new-in", "/sale", "/stores", "/help/returns", "/blog/care-guide")
CUSTOM_EVENTS = (
    ("newsletter_signup", {"placement": "footer"}),
    ("wishlist_add", {"list": "favourites"}),
    ("store_locator_search", {"query": "Paris"}),
)


def _browse(customer: DemoCustomer, rng: random.Random) -> None:
    """Page views, an abandoned checkout (with a cart) and custom events."""
    customer.pages = rng.sample(PAGES, rng.randint(0, 3))
    customer.checkout_started = customer.cart is not None and rng.random() < 0.6
    customer.custom = [
        (name, dict(properties)) for name, properties in CUSTOM_EVENTS if rng.random() < 0.2
    ]


def _sign_up(customer: DemoCustomer, now: datetime, rng: random.Random) -> datetime:
    """When the customer signed up: before the first order, within the last two years."""
    first = min((o.placed_at for o in customer.orders), default=now)
    return (
        first - timedelta(days=rng.uniform(1, 120))
        if customer.orders
        else (now - timedelta(days=rng.uniform(1, 730)))
    )
