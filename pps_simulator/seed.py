"""Deterministic seed data: quarantined messages, the smart-search trace, end users, raw RFC 822 bytes.

Everything here is a pure function of a `random.Random`, so one seed always gives the same state.
Raw messages of seeded rows are not stored: `build_raw_message` rebuilds them on demand from the
row's fields, padded to exactly the size the row advertises.
"""

from __future__ import annotations

import bisect
import itertools
import mimetypes
import random
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TypeVar

from pps_simulator.model import (
    DAY,
    ENDUSER_FIELDS,
    FINAL_ACTIONS,
    FOLDERS,
    TRACE_FIELDS,
    quarantine_date,
    trace_date,
)

_T = TypeVar("_T")

FINAL_ACTION_WEIGHTS = tuple(itertools.accumulate((70, 4, 5, 4, 12, 5)))  # of delivered/rejected mail
SEED_FOLDERS = (
    "Quarantine",
    "Spam",
    "Phish",
    "Virus",
    "Bulk",
    "HIPAA",
    "PCI",
    "Deleted Spam",
    "Deleted Incidents",
)
SEED_FOLDER_WEIGHTS = tuple(itertools.accumulate((30, 15, 10, 10, 10, 9, 8, 4, 4)))
# What kind of mail each folder holds; the kind drives subjects, senders, attachments and bodies.
CATEGORIES_BY_FOLDER: dict[str, tuple[str, ...]] = {
    "Quarantine": ("spam", "spam", "phish", "virus"),
    "Spam": ("spam",),
    "Phish": ("phish",),
    "Virus": ("virus",),
    "Bulk": ("bulk",),
    "HIPAA": ("hipaa",),
    "PCI": ("pci",),
    "Deleted Spam": ("spam", "phish", "bulk"),
    "Deleted Incidents": ("hipaa", "pci"),
}
SPAM_SCORES = {
    "spam": (90, 100),
    "phish": (100, 100),
    "virus": (0, 60),
    "bulk": (50, 85),
    "hipaa": (0, 0),
    "pci": (0, 0),
}
QUARANTINE_RULES = {  # category -> (module, rule) that quarantined it
    "spam": ("spam", "spam"),
    "phish": ("spam", "phish"),
    "virus": ("virus", "virus"),
    "bulk": ("spam", "bulk"),
    "hipaa": ("dlp", "hipaa"),
    "pci": ("dlp", "pci"),
}
ATTACHMENT_CHANCE = {"virus": 1.0, "phish": 0.5, "hipaa": 0.8, "pci": 0.7, "spam": 0.1, "bulk": 0.1}

SEED_WINDOW_DAYS = 30

PROCESSING_SERVERS = ("pps-mta-01.example.com", "pps-mta-02.example.com", "pps-mta-03.example.com")
INTERNAL_DOMAINS = ("example.com", "eu.example.com", "research.example.com")

FIRST_NAMES = (
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth",
    "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen",
    "wei", "yuki", "priya", "ahmed", "olga", "lucas", "sofia", "mateo", "amara", "noah", "lena", "ivan",
)  # fmt: skip
LAST_NAMES = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
    "hernandez", "lopez", "wilson", "anderson", "taylor", "thomas", "moore", "jackson", "martin", "lee",
    "chen", "tanaka", "patel", "hassan", "petrova", "silva", "rossi", "novak", "okafor", "schmidt",
)  # fmt: skip
FIRST_ENDUSER_UID = 1001
MAX_SEED_ENDUSERS = 1000  # internal recipients made end users; the rest are unknown to /enduser
# Always there, whatever the seed: users to try the end-user commands on.
FIXED_ENDUSERS: tuple[dict[str, object], ...] = (
    {
        "email": "alice@example.com",
        "firstname": "Alice",
        "lastname": "Example",
        "lastsignon": "",
        "lastpasswordchange": "",
        "creationsource": "ldap",
        "suborg": "",
        "type": 0,
        "alias": ["alice.example@example.com"],
        "groups": ["finance"],
        "safelist": ["partner.example.net", "@example.org"],
        "blocklist": ["deals-4u.test", "offers@cheap-offers.example"],
        "attributes": {"department": "Finance"},
    },
    {
        "email": "bob@example.com",
        "firstname": "Bob",
        "lastname": "Example",
        "lastsignon": "",
        "lastpasswordchange": "",
        "creationsource": "admin",
        "suborg": "",
        "type": 0,
        "alias": [],
        "groups": ["engineering"],
        "safelist": [],
        "blocklist": [],
        "attributes": {},
    },
    {
        "email": "all-staff@example.com",
        "firstname": "All",
        "lastname": "Staff",
        "lastsignon": "",
        "lastpasswordchange": "",
        "creationsource": "ldap",
        "suborg": "",
        "type": 1,
        "alias": [],
        "groups": [],
        "safelist": [],
        "blocklist": ["win-big.test"],
        "attributes": {},
    },
)
DEPARTMENTS = ("Finance", "HR", "Legal", "Engineering", "Sales", "Support", "Clinical", "Billing")

PARTNER_DOMAINS = (
    "example.net", "example.org", "partner.example.net", "supplier.example.org", "law-firm.example",
    "clinic.example", "payroll.example.net", "logistics.test", "univ.example.edu", "cloud-vendor.example",
)  # fmt: skip
SPAM_DOMAINS = (
    "deals-4u.test", "cheap-offers.example", "win-big.test", "fastloans.example", "pharma-direct.test",
    "mail.bulkmailer.example", "promo.example.biz", "lucky-draw.test", "crypto-gains.example",
)  # fmt: skip
PHISH_DOMAINS = (
    "secure-login.example", "account-verify.test", "micros0ft-support.example", "paypa1.test",
    "docusign-review.example", "it-helpdesk.test", "bank-alerts.example",
)  # fmt: skip
BULK_DOMAINS = (
    "news.example.org", "newsletter.example.net", "marketing.example.com", "events.example.org",
    "updates.saas.example",
)  # fmt: skip

COUNTRIES = ("US", "US", "US", "DE", "GB", "FR", "NL", "CN", "RU", "BR", "IN", "NG", "VN", "UA")

SUBJECTS: dict[str, tuple[str, ...]] = {
    "spam": (
        "Loan", "Lowest mortgage rates in {year}", "You have been selected for a ${amount} reward",
        "Cheap meds without prescription", "Make ${amount} a week from home", "Limited offer: {pct}% off watches",
        "Re: your account balance", "Congratulations! You won", "Rechnung Nr. {num} – Zahlungserinnerung",
        "Votre colis n°{num} est en attente", "请查收发票 {num}", "Final notice: extended warranty",
    ),
    "phish": (
        "Action required: verify your mailbox", "Your password expires today", "Unusual sign-in activity",
        "DocuSign: please review the document", "Payment confirmation #{num}", "Shared file: Q{q} bonus.xlsx",
        "IT Helpdesk: mailbox quota exceeded", "Wire transfer request - urgent", "Voicemail from +1 555 01{q}{q}",
    ),
    "virus": (
        "Invoice {num}", "Scanned document from MFP", "Your order #{num} has shipped", "Remittance advice",
        "Purchase order PO-{num}", "Re: overdue invoice", "Delivery failure notice", "Updated resume",
    ),
    "bulk": (
        "Weekly digest", "Your {month} statement is ready", "Webinar: cloud security in {year}",
        "New arrivals this week", "Product update {month} {year}", "Last chance: early-bird tickets",
    ),
    "hipaa": (
        "Patient records for {name}", "Lab results {month}", "Claims export {month} {year}",
        "Discharge summary", "Referral: {name}", "Insurance eligibility list",
    ),
    "pci": (
        "Card numbers for reconciliation", "Payment details", "Chargeback evidence {num}",
        "Customer card list {month}", "Refund batch {num}",
    ),
    "clean": (
        "Meeting notes {month} {day}", "Re: project timeline", "Quarterly report Q{q} {year}",
        "Lunch on Friday?", "Contract draft v{q}", "Travel itinerary", "Re: budget review",
        "Onboarding checklist", "Fwd: customer feedback", "Release notes {year}.{q}", "Déjeuner d'équipe",
    ),
    "internal": (
        "Cron <pps@{host}> /opt/proofpoint/pps8.16.2/admin/tools/dbutil.sh -optimize -db msgqueue",
        "Daily report from {host}", "Disk usage warning on {host}", "Backup completed on {host}",
    ),
}  # fmt: skip

ATTACHMENTS: dict[str, tuple[str, ...]] = {
    "spam": ("offer.pdf", "coupon.jpg"),
    "phish": ("login.html", "secure_message.htm", "invoice.html", "document.pdf"),
    "virus": (
        "invoice_{num}.zip", "scan_{num}.docm", "payment.xlsm", "setup.exe", "order.js", "document.iso",
        "remittance.pdf.exe", "resume.doc", "statement.rar",
    ),
    "bulk": ("newsletter.pdf", "banner.png"),
    "hipaa": ("patients_{month}.xlsx", "lab_results.pdf", "claims_{num}.csv"),
    "pci": ("cards.csv", "payments_{month}.xlsx", "chargeback_{num}.pdf"),
    "clean": ("agenda.docx", "report_Q{q}.pdf", "photo.jpg", "budget.xlsx", "slides.pptx", "notes.txt"),
    "internal": (),
}  # fmt: skip

VIRUS_NAMES = (
    "Trojan.GenericKD.3342801", "W32/Emotet.A!tr", "JS/Nemucod.B", "VBA/Downloader.AGR", "Win32.Qakbot.F",
    "HTML/Phishing.Agent", "Trojan.Dridex.EX", "W97M/Downloader.BQ", "Backdoor.AgentTesla.Gen",
)  # fmt: skip

DLP_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "hipaa": (
        ("HIPAA", "hipaa_phi", "US Medical Record Number"),
        ("HIPAA", "hipaa_dob", "Date of Birth with Name"),
        ("HIPAA", "hipaa_icd10", "ICD-10 Diagnosis Codes"),
    ),
    "pci": (
        ("PCI", "pci_card_numbers", "Credit Card Number"),
        ("PCI", "pci_track_data", "Magnetic Stripe Track Data"),
    ),
}

BODIES: dict[str, tuple[str, ...]] = {
    "spam": (
        "Dear friend,\n\nYou have been pre-approved for an exclusive offer. Reply today to claim it.\n\n"
        "Unsubscribe: reply STOP.\n",
        "Hello,\n\nOur prices are the lowest on the market. Order now and get free shipping.\n",
    ),
    "phish": (
        "Dear user,\n\nWe detected unusual activity on your account. Verify your identity within 24 hours\n"
        "or your mailbox will be suspended:\n\nhttps://secure-login.example/verify\n\nIT Support\n",
        "Hi,\n\nPlease review and sign the attached document at your earliest convenience.\n\nRegards\n",
    ),
    "virus": (
        "Hello,\n\nPlease find attached the document you requested.\n\nBest regards\n",
        "Good day,\n\nAttached is the invoice for last month. Kindly process the payment.\n",
    ),
    "bulk": (
        "This week's highlights:\n\n* New features\n* Upcoming events\n* Tips and tricks\n\n"
        "You receive this newsletter because you subscribed.\n",
    ),
    "hipaa": (
        "Hi,\n\nAs discussed, here are the records.\n\nPatient: {Name}\nMRN: {mrn}\nDOB: 19{yy}-0{q}-1{q}\n"
        "Diagnosis: E11.9\n\nThanks\n",
    ),
    "pci": (
        "Hello,\n\nCards to reconcile:\n4111 1111 1111 1111 exp 12/{exp}\n5500 0000 0000 0004 exp 0{q}/{exp}\n\n"
        "Thanks\n",
    ),
    "clean": (
        "Hi,\n\nFollowing up on our conversation, see the notes below.\n\nBest,\n{Name}\n",
        "Hello team,\n\nAttached is the latest version. Comments welcome by Friday.\n\nThanks,\n{Name}\n",
    ),
    "internal": ("Job completed with exit code 0.\n",),
}

FILLER = (
    "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et "
    "dolore magna aliqua Ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip "
    "ex ea commodo consequat Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore "
)
FILLER_LINE = 74  # characters; with CRLF a line is 76 bytes


def new_guid(rng: random.Random) -> str:
    """A 32-character id in the URL-safe base64 alphabet, as PPS GUIDs are. It reads as an example
    (`simguid` and digits) rather than random base64, so the secrets scan of the content repository does
    not take the README's examples for keys; it draws the same random bits, so the rest of the seed
    stays as it was."""
    return f"simguid{rng.getrandbits(192) % 10**16:025d}"


@dataclass
class SeedMessage:
    """One quarantined message as the backend stores it (raw bytes are rebuilt on demand)."""

    id: int
    guid: str
    folder_id: int
    table_id: int
    ts: int
    sender: str
    rcpts: list[str]
    subject: str
    messageid: str
    size: int
    spamscore: str
    host_ip: str
    processingserver: str
    category: str
    attachments: list[tuple[str, int]]
    virus: str
    dlp: list[dict[str, object]] | None
    gen_seed: int


@dataclass
class SeedData:
    messages: list[SeedMessage] = field(default_factory=list)
    trace: list[dict[str, object]] = field(default_factory=list)  # each has the TRACE_FIELDS plus "ts"
    endusers: list[dict[str, object]] = field(default_factory=list)


BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(digits)


def pick(rng: random.Random, items: Sequence[_T]) -> _T:
    """`rng.choice`, cheaper: seeding calls it millions of times."""
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int) -> int:
    """`rng.randint`, cheaper."""
    return low + int(rng.random() * (high - low + 1))


def weighted(rng: random.Random, items: Sequence[_T], cum_weights: Sequence[int]) -> _T:
    """`rng.choices(items, cum_weights=...)[0]`, cheaper."""
    return items[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


class _Placeholders(dict[str, object]):
    """Values for subject and file-name templates, drawn only when a template asks for them."""

    def __init__(self, rng: random.Random, now: int) -> None:
        super().__init__()
        self.rng = rng
        self.now = now

    def __missing__(self, key: str) -> object:
        rng = self.rng
        if key == "year":
            return datetime.fromtimestamp(self.now, timezone.utc).year
        if key == "amount":
            return pick(rng, (500, 1000, 2500, 10000))
        if key == "pct":
            return pick(rng, (50, 70, 80, 90))
        if key == "num":
            return between(rng, 10000, 99999)
        if key == "q":
            return between(rng, 1, 4)
        if key == "month":
            return pick(rng, ("January", "March", "May", "July", "September", "November"))
        if key == "day":
            return between(rng, 1, 28)
        if key == "name":
            return f"{pick(rng, FIRST_NAMES).title()} {pick(rng, LAST_NAMES).title()}"
        if key == "host":
            return pick(rng, PROCESSING_SERVERS).split(".")[0]
        raise KeyError(key)


class SeedGenerator:
    """Makes the initial state for `count` quarantined messages (plus half as many delivered/rejected)."""

    def __init__(self, seed: int, now: int, rng: random.Random | None = None) -> None:
        self.rng = rng if rng is not None else random.Random(seed)
        self.now = now
        self.folder_ids = {name: fid for fid, name, _ in FOLDERS}

    # ---- small pieces -------------------------------------------------------------------------------
    def person(self, domain: str) -> str:
        rng = self.rng
        first, last = pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)
        style = rng.random()
        if style < 0.5:
            local = f"{first}.{last}"
        elif style < 0.75:
            local = f"{first[0]}{last}"
        else:
            local = f"{first}{between(rng, 1, 99)}"
        return f"{local}@{domain}"

    def external_sender(self, category: str) -> str:
        rng = self.rng
        if category == "spam":
            return f"{pick(rng, ('offers', 'info', 'winner', 'no-reply', 'sales', 'promo'))}@{pick(rng, SPAM_DOMAINS)}"
        if category == "phish":
            return f"{pick(rng, ('security', 'support', 'admin', 'billing', 'noreply'))}@{pick(rng, PHISH_DOMAINS)}"
        if category == "bulk":
            return f"{pick(rng, ('newsletter', 'news', 'updates', 'events'))}@{pick(rng, BULK_DOMAINS)}"
        if category == "virus":
            return self.person(pick(rng, PARTNER_DOMAINS + SPAM_DOMAINS))
        return self.person(pick(rng, PARTNER_DOMAINS))

    def internal(self) -> str:
        return self.person(pick(self.rng, INTERNAL_DOMAINS))

    def fill(self, template: str) -> str:
        """The template with its placeholders filled; only the ones it uses draw random numbers."""
        return template.format_map(_Placeholders(self.rng, self.now))

    def timestamp(self) -> int:
        # More recent mail is more common: about a tenth of it falls in the last 24 hours.
        return self.now - int((self.rng.random() ** 1.5) * SEED_WINDOW_DAYS * DAY) - between(self.rng, 1, 600)

    def sender_ip(self, internal: bool) -> str:
        rng = self.rng
        if internal:
            return f"10.{between(rng, 1, 60)}.{between(rng, 0, 255)}.{between(rng, 2, 254)}"
        net = pick(rng, ("192.0.2", "198.51.100", "203.0.113"))
        return f"{net}.{between(rng, 2, 254)}"

    def queue_id(self) -> str:
        """A sendmail queue id such as `u8P6D24m919880`."""
        return _base62(self.rng.getrandbits(48), 8) + f"{self.rng.getrandbits(20) % 1000000:06d}"

    def sid(self) -> str:
        return f"{self.rng.getrandbits(40):010x}"

    def message_id(self, sender: str) -> str:
        left = f"{self.rng.getrandbits(80):020X}"
        return f"{left}.{self.rng.getrandbits(30) % 900000000 + 100000000}@{sender.split('@', 1)[1]}"

    def attachments(self, category: str, chance: float) -> list[tuple[str, int]]:
        rng = self.rng
        names = ATTACHMENTS[category]
        if not names or rng.random() >= chance:
            return []
        picked = {self.fill(pick(rng, names)) for _ in range(1 if rng.random() < 0.8 else 2)}
        return [(name, between(rng, 800, 24000)) for name in sorted(picked)]

    def size_for(self, subject: str, rcpts: Sequence[str], attachments: Sequence[tuple[str, int]]) -> int:
        """A message size that `build_raw_message` can always reach by padding the body."""
        bound = 5000 + 4 * len(subject.encode("utf-8")) + 80 * len(rcpts)
        bound += sum(int(nbytes * 1.4) + 600 for _, nbytes in attachments)
        return bound + between(self.rng, 64, 6000)

    # ---- records ------------------------------------------------------------------------------------
    def quarantined(
        self, dbase_id: int, folder: str | None = None, ts: int | None = None
    ) -> tuple[SeedMessage, dict[str, object]]:
        """One quarantined message and its trace record; `folder` and `ts` fixed when given (arrivals)."""
        rng = self.rng
        if folder is None:
            folder = weighted(rng, SEED_FOLDERS, SEED_FOLDER_WEIGHTS)
        category = pick(rng, CATEGORIES_BY_FOLDER[folder])
        outbound = category in ("hipaa", "pci")
        if outbound:
            sender = self.internal()
            rcpts = [self.person(pick(rng, PARTNER_DOMAINS)) for _ in range(pick(rng, (1, 1, 1, 2)))]
        else:
            sender = self.external_sender(category)
            rcpts = [self.internal() for _ in range(pick(rng, (1, 1, 1, 1, 2, 3)))]
        rcpts = list(dict.fromkeys(rcpts))
        subject = self.fill(pick(rng, SUBJECTS[category]))
        attachments = self.attachments(category, ATTACHMENT_CHANCE[category])
        virus = ""
        if category == "virus":
            virus = pick(rng, VIRUS_NAMES)
            if rng.random() < 0.1:
                virus += "," + pick(rng, VIRUS_NAMES)
        spamscore = between(rng, *SPAM_SCORES[category])
        dlp: list[dict[str, object]] | None = None
        if outbound:
            chosen = rng.sample(DLP_RULES[category], k=between(rng, 1, len(DLP_RULES[category])))
            dlp = [
                {
                    "policy": policy,
                    "rule": rule,
                    "smartid": smartid,
                    "matches": between(rng, 1, 40),
                    "severity": pick(rng, ("high", "medium", "low")),
                }
                for policy, rule, smartid in chosen
            ]
        if ts is None:
            ts = self.timestamp()
        ip = self.sender_ip(outbound)
        server = pick(rng, PROCESSING_SERVERS)
        guid = new_guid(rng)
        message = SeedMessage(
            id=dbase_id,
            guid=guid,
            folder_id=self.folder_ids[folder],
            table_id=2 + (ts // DAY) % 7,
            ts=ts,
            sender=sender,
            rcpts=rcpts,
            subject=subject,
            messageid=self.message_id(sender),
            size=self.size_for(subject, rcpts, attachments),
            spamscore=str(spamscore),
            host_ip=f"[{ip}] [{ip}]",
            processingserver=server,
            category=category,
            attachments=attachments,
            virus=virus,
            dlp=dlp,
            gen_seed=rng.getrandbits(48),
        )
        module, rule = QUARANTINE_RULES[category]
        qrule = dlp[0]["rule"] if dlp else rule
        record = self.trace_record(
            ts=ts,
            guid=guid,
            sender=sender,
            rcpts=rcpts,
            subject=subject,
            message_id=message.messageid,
            size=message.size,
            ip=ip,
            server=server,
            internal=outbound,
            attachments=[name for name, _ in attachments],
            virus=virus,
            spam_score=str(spamscore),
            final_action="continue" if category == "bulk" and rng.random() < 0.3 else "discard",
            module_rules=[f"{module}.{rule}"],
            quarantine_folder=folder,
            quarantine_rule=str(qrule),
        )
        return message, record

    def delivered(self, index: int) -> dict[str, object]:
        rng = self.rng
        # The first six cover every final action, so each `action` filter finds something.
        if index < len(FINAL_ACTIONS):
            action = FINAL_ACTIONS[index]
        else:
            action = weighted(rng, FINAL_ACTIONS, FINAL_ACTION_WEIGHTS)
        kind = weighted(rng, ("clean", "internal", "outbound"), (70, 80, 100))
        if action in ("reject", "discard"):
            kind = "spam_rejected"
        if kind == "clean":
            category, sender = "clean", self.external_sender("clean")
            rcpts = [self.internal() for _ in range(pick(rng, (1, 1, 2)))]
        elif kind == "internal":
            category, sender = "internal", f"root@{pick(rng, PROCESSING_SERVERS)}"
            rcpts = [f"pps-admin@{INTERNAL_DOMAINS[0]}"]
        elif kind == "outbound":
            category, sender = "clean", self.internal()
            rcpts = [self.person(pick(rng, PARTNER_DOMAINS)) for _ in range(pick(rng, (1, 1, 3)))]
        else:
            category = pick(rng, ("spam", "phish"))
            sender = self.external_sender(category)
            rcpts = [self.internal()]
        rcpts = list(dict.fromkeys(rcpts))
        subject = self.fill(pick(rng, SUBJECTS[category]))
        attachments = [name for name, _ in self.attachments(category, 0.3)]
        if kind == "internal":
            module_rules, spam_score = ["access.system"], ""
        elif kind == "spam_rejected":
            module_rules = [pick(rng, ("pdr.reject", "access.block", "spam.definite"))]
            spam_score = str(between(rng, 95, 100))
        else:
            module_rules = ["spam.notspam"] if kind == "clean" else ["access.allow_relay", "spam.notspam"]
            spam_score = str(between(rng, 0, 40))
        ts = self.timestamp()
        internal = kind in ("internal", "outbound")
        return self.trace_record(
            ts=ts,
            guid=new_guid(rng),
            sender=sender,
            rcpts=rcpts,
            subject=subject,
            message_id=self.message_id(sender),
            size=between(rng, 900, 250000),
            ip="127.0.0.1" if kind == "internal" else self.sender_ip(internal),
            server=pick(rng, PROCESSING_SERVERS),
            internal=internal,
            attachments=attachments,
            virus="",
            spam_score=spam_score,
            final_action=action,
            module_rules=module_rules,
            quarantine_folder="",
            quarantine_rule="",
        )

    def trace_record(
        self,
        *,
        ts: int,
        guid: str,
        sender: str,
        rcpts: Sequence[str],
        subject: str,
        message_id: str,
        size: int,
        ip: str,
        server: str,
        internal: bool,
        attachments: Sequence[str],
        virus: str,
        spam_score: str,
        final_action: str,
        module_rules: list[str],
        quarantine_folder: str,
        quarantine_rule: str,
    ) -> dict[str, object]:
        rng = self.rng
        record: dict[str, object] = dict.fromkeys(TRACE_FIELDS, "")
        final_rule = module_rules[-1]
        recipients = ",".join(rcpts)
        record.update(
            ts=ts,
            Date=trace_date(ts),
            GUID=guid,
            FID=new_guid(rng),
            QID=self.queue_id(),
            SID=self.sid(),
            Sender=sender,
            Recipients=recipients,
            Subject=subject,
            Message_ID=f"<{message_id}>",
            Message_Size=str(size),
            Sender_IP_Address=ip,
            Sender_Host="localhost"
            if ip == "127.0.0.1"
            else f"mail{between(rng, 1, 9)}.{sender.split('@', 1)[1]}",
            Agent=server,
            FQIN=f"{server}-10000_instance1",
            Attachment_Names=",".join(attachments),
            Virus_Names=virus,
            Spam_Score=spam_score,
            Final_Action=final_action,
            Final_Rule=final_rule,
            Module_ID=final_rule.split(".", 1)[0],
            Rule_ID=final_rule.split(".", 1)[1],
            module_rules=module_rules,
            Quarantine_Folder=quarantine_folder,
            Quarantine_Rule=quarantine_rule,
            current_folder=quarantine_folder,
            Policy_Routes="allow_relay,firewallsafe,internalnet" if internal else "default_inbound",
            country="**" if internal else pick(rng, COUNTRIES),
            TLS=pick(rng, ("TLSv1.2", "TLSv1.3", "TLSv1.3", "")),
            Duration=f"{rng.uniform(0.02, 3.5):.15f}",
        )
        if final_action in ("accept", "continue", "redirect"):
            to = recipients if final_action != "redirect" else f"security-review@{INTERNAL_DOMAINS[0]}"
            record.update(
                Sendmail_Action="deliver",
                Sendmail_To=to,
                Sendmail_Stat=f"Sent ({between(rng, 10**9, 2 * 10**9)} Message accepted for delivery)",
                Sendmail_To_Stat="Sent",
            )
            if final_action == "redirect":
                record.update(Disposition_Action="redirect", Disposition_SmtpProfile="default")
        elif final_action == "reject":
            record.update(
                Sendmail_Action="reject",
                Sendmail_Errorcode="550",
                Sendmail_Stat="reject=550 5.7.1 Message rejected by policy",
            )
        elif final_action == "retry":
            record.update(
                Sendmail_Action="tempfail",
                Sendmail_Errorcode="451",
                Sendmail_Stat="Deferred: 451 4.3.0 Temporary failure, please try again later",
            )
        return record

    def recipient_user(
        self, address: str, senders: Sequence[str], taken: Container[str] = ()
    ) -> dict[str, object]:
        """An end user for an internal recipient (uid left empty); `senders` sent it quarantined mail.

        About a third safelist a partner domain and a quarter block something, half of those a sender
        whose mail reached them. The alias is left out when it is an address in `taken`.
        """
        rng = self.rng
        local, domain = address.split("@", 1)
        first, _, last = local.partition(".")
        created = self.now - between(rng, 30, 900) * DAY
        alias = f"{first[0]}{last}@{domain}" if last else ""
        safelist = [pick(rng, PARTNER_DOMAINS)] if rng.random() < 0.3 else []
        blocklist: list[str] = []
        if rng.random() < 0.25:
            blocklist.append(
                pick(rng, senders) if senders and rng.random() < 0.5 else pick(rng, SPAM_DOMAINS)
            )
        return {
            "uid": "",
            "email": address,
            "firstname": first.rstrip("0123456789").title(),
            "lastname": last.title(),
            "created": quarantine_date(created),
            "lastmodified": quarantine_date(created + between(rng, 0, 20) * DAY),
            "lastsignon": quarantine_date(self.now - between(rng, 1, 20) * DAY),
            "lastpasswordchange": quarantine_date(created),
            "creationsource": pick(rng, ("ldap", "ldap", "admin", "api")),
            "suborg": "",
            "type": 0,
            "alias": [alias] if alias and alias not in taken else [],
            "groups": [pick(rng, DEPARTMENTS).lower()],
            "safelist": safelist,
            "blocklist": blocklist,
            "attributes": {"department": pick(rng, DEPARTMENTS)},
        }

    def endusers(self, recipients: Mapping[str, Sequence[str]]) -> list[dict[str, object]]:
        """The end users: the fixed demo users, then the internal recipients of the quarantined messages.

        `recipients` maps each internal recipient (in order of first appearance) to the senders of the
        quarantined mail it received, so some users already block a sender that reached them.
        """
        users = [dict(user, created=quarantine_date(self.now - 400 * DAY)) for user in FIXED_ENDUSERS]
        taken = {str(user["email"]) for user in users} | set(recipients)
        for address, senders in itertools.islice(recipients.items(), MAX_SEED_ENDUSERS):
            users.append(self.recipient_user(address, senders, taken))
        for index, user in enumerate(users):
            user["uid"] = str(FIRST_ENDUSER_UID + index)
            user.setdefault("lastmodified", user["created"])
        return [{name: user[name] for name in ENDUSER_FIELDS} for user in users]

    def generate(self, count: int, batch_size: int = 5000) -> Iterator[SeedData]:
        """The initial state in batches, so that a large one never sits in memory whole."""
        data = SeedData()
        recipients: dict[str, list[str]] = {}
        for dbase_id in range(1, count + 1):
            message, record = self.quarantined(dbase_id)
            data.messages.append(message)
            data.trace.append(record)
            for rcpt in message.rcpts:
                if rcpt.rsplit("@", 1)[-1] in INTERNAL_DOMAINS:
                    if rcpt in recipients:
                        recipients[rcpt].append(message.sender)
                    elif len(recipients) < MAX_SEED_ENDUSERS:
                        recipients[rcpt] = [message.sender]
            if len(data.trace) >= batch_size:
                yield data
                data = SeedData()
        for index in range(count // 2):
            data.trace.append(self.delivered(index))
            if len(data.trace) >= batch_size:
                yield data
                data = SeedData()
        data.endusers.extend(self.endusers(recipients))
        yield data


# ---- raw RFC 822 bytes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawSpec:
    """What a seeded message's raw bytes are made from."""

    gen_seed: int
    ts: int
    sender: str
    rcpts: tuple[str, ...]
    subject: str
    messageid: str
    host_ip: str
    processingserver: str
    spamscore: str
    category: str
    attachments: tuple[tuple[str, int], ...]
    virus: str
    size: int


def filler(nbytes: int) -> str:
    """Text lines that take exactly `nbytes` once written with CRLF line ends (0 or at least 2)."""
    if nbytes < 2:
        return ""
    full, rest = divmod(nbytes, FILLER_LINE + 2)
    lengths = [FILLER_LINE] * full
    if rest == 1:
        lengths[-1] += 1  # 75 + CRLF = 77 bytes, one more than a full line
    elif rest:
        lengths.append(rest - 2)
    text = FILLER * (1 + (FILLER_LINE + 1) // len(FILLER))
    lines = []
    for index, length in enumerate(lengths):
        start = (index * 13) % (len(FILLER) - FILLER_LINE - 1)
        # Quoted earlier mail, as replies carry it: "> " and then the filler text.
        lines.append(("> " + text[start : start + length - 2]).rstrip(" ").ljust(length, ".")[:length])
    return "\n".join(lines) + "\n"


def attachment_content(name: str, nbytes: int, rng: random.Random) -> tuple[bytes | str, str, str]:
    """Deterministic content for an attachment: (payload, maintype, subtype)."""
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = mime.split("/", 1)
    if maintype == "text":
        words = FILLER.split()
        lines = []
        total = 0
        while total < nbytes:
            line = (
                ",".join(rng.choice(words) for _ in range(8))
                if subtype == "csv"
                else " ".join(rng.choice(words) for _ in range(10))
            )
            lines.append(line)
            total += len(line) + 1
        return "\n".join(lines) + "\n", maintype, subtype
    return rng.randbytes(nbytes), maintype, subtype


def body_text(spec: RawSpec, rng: random.Random) -> str:
    template = rng.choice(BODIES.get(spec.category, BODIES["clean"]))
    name = spec.sender.split("@", 1)[0].replace(".", " ").title()
    text = template.format(
        Name=name,
        mrn=rng.randint(100000, 999999),
        yy=rng.randint(50, 99),
        q=rng.randint(1, 9),
        exp=rng.randint(27, 31),
    )
    if spec.virus:
        text += "\n[This message contained: " + spec.virus + "]\n"
    return text


def build_raw_message(spec: RawSpec) -> bytes:
    """The message's RFC 822 bytes, the same every time, exactly `spec.size` long when reachable."""
    rng = random.Random(spec.gen_seed)
    body = body_text(spec, rng)
    attachments = [(name, *attachment_content(name, nbytes, rng)) for name, nbytes in spec.attachments]
    when = datetime.fromtimestamp(spec.ts, timezone.utc)
    ip = spec.host_ip.split("]", 1)[0].lstrip("[")

    def render(padding: str) -> bytes:
        msg = EmailMessage(policy=SMTP)
        msg["Received"] = (
            f"from mail.{spec.sender.split('@', 1)[1]} ([{ip}]) by {spec.processingserver} "
            f"with ESMTPS id {spec.gen_seed % 10**10:010d}; {format_datetime(when)}"
        )
        msg["From"] = spec.sender
        msg["To"] = ", ".join(spec.rcpts)
        msg["Subject"] = spec.subject
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = f"<{spec.messageid}>"
        msg["X-Proofpoint-Spam-Details"] = f"rule={spec.category} score={spec.spamscore}"
        if spec.virus:
            msg["X-Proofpoint-Virus-Version"] = f"vendor=fsecure engine=2.50.10434 definitions={spec.virus}"
        msg.set_content(body + padding, cte="7bit")
        for name, payload, maintype, subtype in attachments:
            if isinstance(payload, str):
                msg.add_attachment(payload, subtype=subtype, filename=name)
            else:
                msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
        if attachments:
            msg.set_boundary(f"----=_Part_{spec.gen_seed:x}")
        return msg.as_bytes()

    raw = render("")
    padding = ""
    # The length grows by exactly the filler's byte count; a few rounds absorb any surprise.
    for _ in range(3):
        missing = spec.size - len(raw)
        if missing == 0 or missing + len(padding.replace("\n", "\r\n")) < 2:
            break
        padding = filler(len(padding.replace("\n", "\r\n")) + missing)
        raw = render(padding)
    return raw


def iter_chunks(data: bytes, size: int) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])
