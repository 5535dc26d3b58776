# Turns AWS's ip-ranges.json into the compact snapshot trawl bundles: one line per
# prefix and region, "prefix region services". Used by `just aws-ip-ranges`.
import json, sys, ipaddress
j = json.load(open(sys.argv[1]))
rows = {}
for p in j["prefixes"]:
    rows.setdefault((p["ip_prefix"], p["region"]), set()).add(p["service"])
for p in j["ipv6_prefixes"]:
    rows.setdefault((p["ipv6_prefix"], p["region"]), set()).add(p["service"])
def key(k):
    n = ipaddress.ip_network(k[0])
    return (n.version, n.network_address, n.prefixlen, k[1])
print(f"# AWS ip-ranges.json createDate={j['createDate']} syncToken={j['syncToken']}")
print("# prefix region services (comma-separated, AMAZON = any AWS address)")
for k in sorted(rows, key=key):
    print(k[0], k[1], ",".join(sorted(rows[k])))
