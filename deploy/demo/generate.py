#!/usr/bin/env python3
"""Deterministic demo data: plans over every pricing model and four currencies, a few hundred accounts.
Usage: generate.py plans OUT_DIR   or   generate.py accounts OUT_DIR PERIOD   or   generate.py usage ACCOUNTS_JSON PERIOD OUT_CSV
Accounts are billed from the first day of PERIOD (a run bills only the days since an account's billing start); a few
start on its 12th, so the demo shows a prorated base fee."""
import json, random, sys, os

PLANS = [
    {"code": "demo-starter", "name": "Starter", "currency": "EUR", "base_fee_minor": 1900, "components": [
        {"metric": "api_calls", "description": "API calls", "model": "per_unit", "unit_price": "0.0005"},
        {"metric": "storage_gb", "description": "Storage (GB-month)", "model": "graduated", "tiers": [
            {"up_to": 100, "unit_price": "0.10"}, {"up_to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
            {"up_to": None, "unit_price": "0.05"}]}]},
    {"code": "demo-growth", "name": "Growth", "currency": "USD", "base_fee_minor": 9900, "components": [
        {"metric": "api_calls", "description": "API calls", "model": "volume", "tiers": [
            {"up_to": 100000, "unit_price": "0.0008"}, {"up_to": None, "unit_price": "0.0004", "flat_fee": "10.00"}]},
        {"metric": "sms", "description": "Text messages", "model": "package", "package_size": 100, "package_price": "2.50"}]},
    {"code": "demo-tokyo", "name": "Tokyo", "currency": "JPY", "base_fee_minor": 3000, "components": [
        {"metric": "api_calls", "description": "API calls", "model": "per_unit", "unit_price": "0.05"}]},
    {"code": "demo-metered", "name": "Pay as you go", "currency": "GBP", "base_fee_minor": 0, "components": [
        {"metric": "storage_gb", "description": "Storage (GB-month)", "model": "per_unit", "unit_price": "0.023"}]},
]
NAMES = ["Müller GmbH", "Société Générale Services", "José Núñez S.L.", "株式会社テスト", "Acme Ltd", "Globex Inc",
         "Initech LLC", "Umbrella plc", "Stark Industries", "Wayne Enterprises", "Nordlicht AB", "Kowalski Sp. z o.o."]
COUNTRY = {"EUR": ("DE", "Berlin", "10115"), "USD": ("US", "Springfield", "62701"), "JPY": ("JP", "Tokyo", "100-0001"),
           "GBP": ("GB", "London", "EC1A 1BB")}

def plans(out):
    for p in PLANS:
        with open(os.path.join(out, p["code"] + ".json"), "w") as f:
            json.dump(p, f, ensure_ascii=False, indent=1)

def accounts(out, period, count=300):
    rnd = random.Random(2026)
    items = []
    for i in range(count):
        plan = PLANS[i % len(PLANS)]
        country, city, postal = COUNTRY[plan["currency"]]
        items.append({"external_ref": f"demo-{i:04d}", "name": f"{NAMES[i % len(NAMES)]} #{i:03d}",
                      "billing_email": f"billing+demo{i:04d}@example.test", "plan": plan["code"],
                      "tax_rate": "10" if plan["currency"] == "JPY" else ("0" if plan["currency"] == "USD" else "19"),
                      "billing_starts_on": f"{period}-12" if i % 50 == 7 else f"{period}-01",
                      "address": {"line1": f"{rnd.randint(1, 200)} Main Street", "city": city, "postal_code": postal,
                                  "country": country}})
    with open(os.path.join(out, "accounts.json"), "w") as f:
        json.dump({"accounts": items}, f, ensure_ascii=False)

def usage(accounts_json, period, out_csv):
    rnd = random.Random(1)
    plans = {p["code"]: p for p in PLANS}
    items = json.load(open(accounts_json))
    items = items.get("accounts", items) if isinstance(items, dict) else items
    with open(out_csv, "w") as f:
        f.write("account_id,metric,quantity,occurred_at,idempotency_key\n")
        for a in items:
            code = a.get("plan_code") or a.get("plan")
            for c in plans[code]["components"]:
                for day in (5, 20):
                    q = 0 if rnd.random() < 0.1 else rnd.randint(1, {"api_calls": 120000, "storage_gb": 900, "sms": 700}[c["metric"]])
                    f.write(f'{a["id"]},{c["metric"]},{q},{period}-{day:02d}T12:00:00Z,demo-{a["id"]}-{c["metric"]}-{day}\n')

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "plans": plans(sys.argv[2])
    elif cmd == "accounts": accounts(sys.argv[2], sys.argv[3])
    elif cmd == "usage": usage(sys.argv[2], sys.argv[3], sys.argv[4])
