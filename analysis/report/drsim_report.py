#!/usr/bin/env python3
"""drsim report: one self-contained HTML file from the results drsim wrote.

Run by `drsim report` (sim/cli/cmd_report.cpp), which finds this script and the Python
that has matplotlib, and writes what this prints to stdout atomically. Inputs are the
JSON of `drsim run --out`, `drsim drill --json` and `drsim compare --json` (paths, or
"-" for one document on stdin); nothing is simulated again. Sections appear as the
inputs allow: a headline, distributions, downtime by cause, drill timelines, paired
differences, provenance. Figures are matplotlib SVG inline (text as <text>, no
scripts), so the page opens with no network and prints.

  drsim_report.py [--png DIR] [--command TEXT] -- RESULTS.json... > report.html

Exit codes: 0 done; 2 bad input (message on stderr, nothing written); 3 matplotlib
missing; 1 anything else.
"""

import datetime
import html
import io
import json
import math
import os
import re
import sys
import tempfile

ERR = "drsim report: error: "


class BadInput(Exception):
    pass


def fail(code, msg):
    sys.stderr.write(ERR + msg + "\n")
    sys.exit(code)


# ------------------------------------------------------------------ reading inputs

def kind_of(j):
    """'run', 'drill' or 'compare' for a drsim results document, else None."""
    if not isinstance(j, dict) or "drsim_version" not in j:
        return None
    if isinstance(j.get("alternatives"), list):
        return "compare"
    if isinstance(j.get("timeline"), list) and isinstance(j.get("outages"), list):
        return "drill"
    if isinstance(j.get("availability"), dict) and isinstance(j.get("downtime_minutes"), dict):
        return "run"
    return None


def read_inputs(paths):
    docs = []
    for p in paths:
        name = "the results on stdin" if p == "-" else p
        try:
            text = sys.stdin.read() if p == "-" else open(p, encoding="utf-8").read()
        except OSError as e:
            raise BadInput(f"{name}: cannot read it ({e.strerror})")
        except UnicodeDecodeError:
            raise BadInput(f"{name}: not a drsim results JSON (not UTF-8 text)")
        try:
            j = json.loads(text)
        except json.JSONDecodeError as e:
            raise BadInput(f"{name}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})")
        k = kind_of(j)
        if k is None:
            if isinstance(j, dict) and j.get("format") == "drsim-shard":
                raise BadInput(f"{name}: a shard of a cluster run, not results (combine the shards with drsim merge first)")
            raise BadInput(f"{name}: not a drsim results JSON (expected what drsim run --out, drill --json or compare --json write)")
        try:
            check_shape(k, j)
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise BadInput(f"{name}: a drsim {k} results JSON with a damaged or missing field ({e})")
        docs.append({"kind": k, "json": j, "path": name})
    return docs


def num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{x!r} is not a finite number")
    return float(x)


def check_shape(k, j):
    """Touches every field the report reads, so a damaged file fails here, before any output."""
    if k == "run":
        num(j["availability"]["mean"])
        [num(v) for v in j["availability"]["ci95"]]
        num(j["downtime_minutes"]["mean"])
        [num(v) for v in j["downtime_minutes"]["ci95"]]
        num(j["trials"])
        for c in j.get("causes", []):
            num(c["downtime_share"]), [num(v) for v in c["ci95"]], str(c["cause"])
        for name, s in (j.get("survival") or {}).items():
            if len(s["x"]) != len(s["p"]) or len(s["p"]) != len(s["ci95_lo"]) or len(s["p"]) != len(s["ci95_hi"]):
                raise ValueError(f"survival.{name}: arrays of different lengths")
            [num(v) for v in s["x"] + s["p"] + s["ci95_lo"] + s["ci95_hi"]]
    elif k == "drill":
        for e in j["timeline"]:
            num(e["t_minutes"]), str(e["event"])
        for o in j["outages"]:
            num(o["start_minutes"]), num(o["end_minutes"])
            for s in o.get("critical_path", []):
                num(s["minutes"])
    else:
        for a in j["alternatives"]:
            str(a["name"]), num(a["full_minutes"]["mean"])


# ------------------------------------------------------------------ words and numbers

def esc(s):
    return html.escape(str(s), quote=True)


def span_text(minutes):
    """A duration a manager reads: '2 h 31 min', '45 s', '3.2 d'."""
    m = float(minutes)
    if m < 0:
        return "−" + span_text(-m)
    if m == 0:
        return "0"
    if m < 1:
        s = m * 60
        return f"{s:.3g} s"
    if m < 60:
        return f"{m:.3g} min"
    if m < 48 * 60:
        h = int(m // 60)
        r = int(round(m - 60 * h))
        if r == 60:
            h, r = h + 1, 0
        return f"{h} h" + (f" {r} min" if r else "")
    return f"{m / 1440:.3g} d"


def pct_digits(p):
    """Decimals for a percentage near 1 (availability) so that its shortfall shows."""
    u = abs(1 - p)
    if u <= 0:
        return 4
    return int(min(6, max(2, math.ceil(-math.log10(u * 100)) + 2)))


def shown(value, scale, digits, key, unit="", absolute=False):
    """A number in the page that a test can check against the JSON: the text is the value
    (its magnitude with `absolute`) times `scale` with `digits` decimals; data-json is its
    path in the section's document (dots; list items by index)."""
    v = abs(value) if absolute else value
    text = f"{v * scale:.{digits}f}"
    flag = ' data-abs="1"' if absolute else ""
    return f'<b class="num" data-json="{esc(key)}" data-scale="{scale:g}"{flag}>{text}</b>{unit}'


def prob_words(p):
    if p <= 0:
        return "never in these trials"
    if p >= 1:
        return "every time"
    if p < 0.001:
        return f"about 1 in {1 / p:,.0f}"
    if p < 0.2:
        return f"about 1 in {1 / p:.0f}"
    return f"about {round(p * 10)} in 10"


# ------------------------------------------------------------------ figures

class Figures:
    """Renders matplotlib figures to inline SVG (and keeps them for --png)."""

    def __init__(self):
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as e:
            fail(3, f"matplotlib is not available to {sys.executable} ({e})")
        self.plt = plt
        matplotlib.rcParams.update({
            "svg.fonttype": "none",  # text stays text: small, selectable, searchable
            "svg.hashsalt": "drsim",  # the same ids for the same figure
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
        })
        self.made = []  # (name, figure)

    def new(self, w=7.5, h=3.2):
        return self.plt.subplots(figsize=(w, h), layout="constrained")

    def svg(self, name, fig, caption):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "drsim report (matplotlib)"})
        text = buf.getvalue()
        text = text[text.index("<svg"):]
        text = re.sub(r"<metadata>.*?</metadata>", "", text, count=1, flags=re.S)  # RDF boilerplate
        self.made.append((name, fig))
        return (f'<figure class="plot" id="fig-{esc(name)}">{text}'
                f"<figcaption>{caption}</figcaption></figure>\n")

    def write_png(self, directory):
        os.makedirs(directory, exist_ok=True)
        for name, fig in self.made:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".png.tmp", dir=directory)
            try:
                with os.fdopen(fd, "wb") as f:
                    fig.savefig(f, format="png", dpi=150)
                os.chmod(tmp, 0o644)
                os.replace(tmp, os.path.join(directory, name + ".png"))
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise


def hours_axis(ax, axis="x"):
    from matplotlib.ticker import FuncFormatter
    fmt = FuncFormatter(lambda v, _: span_text(v * 60))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def survival_plot(F, name, curves, vlines, xlabel_unit, caption):
    """curves: [(label, survival dict)]; vlines: [(x in the same unit as the curve, label, colour)]."""
    fig, ax = F.new()
    per_hour = 60 if xlabel_unit == "minutes" else 3600  # plotted in hours
    drawn = False
    for label, s, colour in curves:
        if not s or not s.get("x"):
            continue
        xs = [x / per_hour for x in s["x"]]
        # p[i] = P(X >= x[i]) holds on (x[i-1], x[i]]: a step drawn "pre".
        ax.step(xs, s["p"], where="pre", color=colour, label=label, lw=1.6)
        ax.fill_between(xs, s["ci95_lo"], s["ci95_hi"], step="pre", color=colour, alpha=0.2, lw=0,
                        label="95 % band (pointwise)" if not drawn else None)
        drawn = True
    for x, label, colour in vlines:
        if x and x > 0:
            xh = x / per_hour
            ax.axvline(xh, color=colour, ls="--", lw=1.2)
            ax.annotate(label, (xh, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points",
                        color=colour, fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    hours_axis(ax)
    ax.set_ylabel("P(at least this long)" if xlabel_unit == "minutes" else "P(at least this much)")
    ax.set_xlabel("duration (log scale)" if xlabel_unit == "minutes" else "writes lost (log scale)")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    return F.svg(name, fig, caption)


def quantile_plot(F, name, summary, vline, unit, caption):
    """Without survival curves (older results): the quantiles with their CIs."""
    fig, ax = F.new(7.5, 2.4)
    ps, xs, lo, hi = [], [], [], []
    for key, p in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)):
        if key in summary:
            ci = summary.get("quantile_ci95", {}).get(key, [summary[key], summary[key]])
            ps.append(1 - p)
            xs.append(summary[key] / (60 if unit == "minutes" else 3600))
            lo.append(ci[0] / (60 if unit == "minutes" else 3600))
            hi.append(ci[1] / (60 if unit == "minutes" else 3600))
    ax.errorbar(xs, ps, xerr=[[max(0, x - l) for x, l in zip(xs, lo)], [max(0, h - x) for x, h in zip(xs, hi)]],
                fmt="o", color="C0", capsize=3, label="quantiles with 95 % CI")
    if vline:
        ax.axvline(vline / (60 if unit == "minutes" else 3600), color="C3", ls="--")
    ax.set_yscale("log")
    if all(x > 0 for x in xs) and xs:
        ax.set_xscale("log")
    hours_axis(ax)
    ax.set_ylabel("P(exceeded)")
    return F.svg(name, fig, caption)


# ------------------------------------------------------------------ sections

def provenance_row(d):
    j = d["json"]
    t = j.get("timing", {})
    opts = j.get("options", {})
    trials = j.get("trials", opts.get("trials"))
    if d["kind"] == "drill":
        dist = j.get("distribution") or {}
        trials = f'1 timeline ({"point replay" if j.get("point") else "trial " + str(j.get("trial"))})' + (
            f' + {dist["trials"]} sampled replays' if dist.get("trials") else "")
    cells = [d["kind"], d["path"], j.get("title") or j.get("scenario", ""), j.get("scenario", ""),
             f'<code class="sha">{esc(j.get("scenario_sha256", "not recorded"))}</code>',
             j.get("seed", ""), trials, j.get("engine", opts.get("engine", "")), j.get("drsim_version", ""),
             f'<code>{esc(t.get("command_line", "not recorded"))}</code>', t.get("finished_at", "not recorded")]
    return "<tr>" + "".join(f"<td>{c if str(c).startswith('<code') else esc(c)}</td>" for c in cells) + "</tr>"


def run_section(F, d, idx):
    j = d["json"]
    out = []
    title = j.get("title") or j.get("scenario", "")
    drills = bool(j.get("drills"))
    horizon = float(j.get("horizon_hours", j.get("options", {}).get("horizon_hours", 8760)))
    per_year = 8760 / horizon if horizon > 0 else 1
    a = j["availability"]
    dm = j["downtime_minutes"]
    n = int(j["trials"])
    out.append(f'<section class="run" id="run-{idx}" data-doc="{idx - 1}"><h2>{esc(title)}</h2>')
    out.append(f'<p class="sub">{esc(j.get("scenario", ""))} — {n:,} {"drill replays" if drills else "simulated " + ("years" if abs(horizon - 8760) < 1e-9 else "trials of " + span_text(horizon * 60))}</p>')
    # ---- headline
    h = ['<div class="headline">']
    if not drills:
        dg = pct_digits(a["mean"])
        nines = a.get("nines")
        nci = a.get("nines_ci95", [None, None])
        h.append(f'<p class="big">Available {shown(a["mean"], 100, dg, "availability.mean", " %")} of the time '
                 f'<span class="ci">(95 % CI {shown(a["ci95"][0], 100, dg, "availability.ci95.0")} – '
                 f'{shown(a["ci95"][1], 100, dg, "availability.ci95.1", " %")})</span>'
                 + (f', {shown(nines, 1, 2, "availability.nines")} nines'
                    f' <span class="ci">[{shown(nci[0], 1, 2, "availability.nines_ci95.0")} – {shown(nci[1], 1, 2, "availability.nines_ci95.1")}]</span>'
                    if isinstance(nines, (int, float)) and math.isfinite(nines) and all(isinstance(v, (int, float)) and math.isfinite(v) for v in nci) else "")
                 + ".</p>")
        y = dm["mean"] * per_year
        h.append(f'<p class="big">Full downtime: {shown(dm["mean"], 1, 1, "downtime_minutes.mean", " min")} per '
                 f'{"year" if per_year == 1 else "trial"} <span class="ci">(95 % CI {shown(dm["ci95"][0], 1, 1, "downtime_minutes.ci95.0")} – '
                 f'{shown(dm["ci95"][1], 1, 1, "downtime_minutes.ci95.1", " min")})</span> — about {span_text(y)} a year'
                 f'{"" if per_year == 1 else " (scaled from a " + span_text(horizon * 60) + " trial)"}. '
                 f'Half the years see at most {span_text(dm.get("p50", 0))}; one year in ten more than {span_text(dm.get("p90", 0))}.</p>')
    else:
        h.append(f'<p class="big">Each replay of the drill: full downtime {shown(dm["mean"], 1, 1, "downtime_minutes.mean", " min")} on average '
                 f'<span class="ci">(95 % CI {shown(dm["ci95"][0], 1, 1, "downtime_minutes.ci95.0")} – {shown(dm["ci95"][1], 1, 1, "downtime_minutes.ci95.1", " min")})</span>; '
                 f'half the replays at most {span_text(dm.get("p50", 0))}, one in ten more than {span_text(dm.get("p90", 0))}.</p>')
    items = []
    po = j.get("p_any_outage")
    if po:
        items.append(f'P(at least one full outage in a {"year" if per_year == 1 else "trial"}): '
                     f'{shown(po["value"], 100, 2, "p_any_outage.value", " %")} <span class="ci">[{po["ci95"][0] * 100:.2f} – {po["ci95"][1] * 100:.2f} %]</span>')
    slo = j.get("slo")
    if slo:
        pw = slo.get("p_trial_any_window_breached") or slo.get("p_breach_year")
        key = "slo.p_trial_any_window_breached.value" if "p_trial_any_window_breached" in slo else "slo.p_breach_year.value"
        items.append(f'SLO {slo["target"] * 100:g} % over {span_text(slo["window_hours"] * 60)} windows: breached in at least one window in '
                     f'{shown(pw["value"], 100, 2, key, " %")} of {"years" if per_year == 1 else "trials"} '
                     f'<span class="ci">[{pw["ci95"][0] * 100:.2f} – {pw["ci95"][1] * 100:.2f} %]</span> — {prob_words(pw["value"])}; '
                     f'a single window breaches with probability {slo["p_breach_window"]["value"] * 100:.3g} %.')
    for key, e in (j.get("rto") or {}).items():
        who = ("the service" if e.get("scope") == "service" else
               "site " + str(e.get("site", key)) if e.get("scope") == "site" else "feature " + str(e.get("feature", key)))
        p1, pt = e["p_breach_per_outage"], e["p_any_breach_per_trial"]
        items.append(f'RTO {span_text(e["target_minutes"])} ({esc(who)}): a recovery takes longer '
                     f'{shown(p1["value"], 100, 2, "rto." + key + ".p_breach_per_outage.value", " %")} of the time '
                     f'<span class="ci">[{p1["ci95"][0] * 100:.2f} – {p1["ci95"][1] * 100:.2f} %]</span>; at least one breach in '
                     f'{shown(pt["value"], 100, 2, "rto." + key + ".p_any_breach_per_trial.value", " %")} of {e.get("per_trial_is", "trial")}s '
                     f'({prob_words(pt["value"])}).')
    for key, e in (j.get("rpo") or {}).items():
        p1, pt = e["p_breach_per_event"], e["p_any_breach_per_trial"]
        items.append(f'RPO {span_text(e["target_seconds"] / 60)}: a data-loss event loses more '
                     f'{shown(p1["value"], 100, 2, "rpo." + key + ".p_breach_per_event.value", " %")} of the time '
                     f'<span class="ci">[{p1["ci95"][0] * 100:.2f} – {p1["ci95"][1] * 100:.2f} %]</span>; at least one breach in '
                     f'{shown(pt["value"], 100, 2, "rpo." + key + ".p_any_breach_per_trial.value", " %")} of {e.get("per_trial_is", "trial")}s.')
    if items:
        h.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    h.append("</div>")
    out.extend(h)
    # ---- distributions
    surv = j.get("survival") or {}
    rto = (j.get("rto") or {}).get("service", {}).get("target_minutes")
    rpo = (j.get("rpo") or {}).get("service", {}).get("target_seconds")
    figs = []
    budget = None
    if slo and not drills:
        budget = (1 - slo["target"]) * horizon * 60
    if surv.get("downtime_minutes", {}).get("x"):
        figs.append(survival_plot(F, f"downtime-{idx}", [("full downtime per " + ("replay" if drills else "year" if per_year == 1 else "trial"), surv["downtime_minutes"], "C0")]
                                  + ([("degraded time", surv["degraded_minutes"], "C1")] if surv.get("degraded_minutes", {}).get("x") else []),
                                  ([(rto, "RTO", "C3")] if drills else []) + ([(budget, "SLO budget per year" if per_year == 1 else "SLO budget per trial", "C2")] if budget else []), "minutes",
                                  "Downtime per " + ("replay" if drills else "trial") + ": the chance of at least this much (survival curve), with its pointwise 95 % band. "
                                  + (f"Trials with no downtime ({(1 - surv['downtime_minutes']['p_positive']['value']) * 100:.1f} %) are off the log scale." if surv["downtime_minutes"]["p_positive"]["value"] < 1 else "")))
    elif dm.get("p50") is not None:
        figs.append(quantile_plot(F, f"downtime-{idx}", dm, None, "minutes", "Downtime per trial: quantiles with 95 % CIs (these results hold no survival curve)."))
    if surv.get("outage_minutes", {}).get("x"):
        figs.append(survival_plot(F, f"outage-{idx}", [("outage duration", surv["outage_minutes"], "C0")], [(rto, "RTO", "C3")], "minutes",
                                  "Duration of each full outage: the chance it lasts at least this long, with the RTO. Where the curve crosses the RTO line is P(RTO breach)."))
    elif j.get("outage_minutes", {}).get("n"):
        figs.append(quantile_plot(F, f"outage-{idx}", j["outage_minutes"], rto, "minutes", "Outage duration: quantiles with 95 % CIs, and the RTO."))
    lost = surv.get("rpo.service") if surv.get("rpo.service", {}).get("x") else surv.get("data_loss_seconds")
    if lost and lost.get("x"):
        figs.append(survival_plot(F, f"data-lost-{idx}", [("writes lost per event" if lost is surv.get("rpo.service") else "writes lost per trial", lost, "C4")],
                                  [(rpo, "RPO", "C3")], "seconds",
                                  "Data lost: the chance of losing at least this much (measured as time of writes), with the RPO."))
    if figs:
        out.append('<h3>Distributions</h3>' + "".join(figs))
    # ---- causes
    causes = j.get("causes") or []
    if causes:
        fig, ax = F.new(7.5, max(2.0, 0.32 * min(len(causes), 15) + 0.9))
        cs = causes[:15]
        names = [c["cause"] for c in cs][::-1]
        share = [c["downtime_share"] * 100 for c in cs][::-1]
        lo = [max(0, c["downtime_share"] - c["ci95"][0]) * 100 for c in cs][::-1]
        hi = [max(0, c["ci95"][1] - c["downtime_share"]) * 100 for c in cs][::-1]
        ax.barh(names, share, xerr=[lo, hi], color="C0", alpha=0.85, capsize=3, ecolor="0.3")
        cum, acc = [], 0
        for s in share[::-1]:
            acc += s
            cum.append(acc)
        ax2 = ax.twiny()
        ax2.plot(cum[::-1], names, "o-", color="C1", ms=3, lw=1)
        ax2.set_xlim(0, 105)
        ax.set_xlim(0, 105)
        ax2.set_xlabel("cumulative share (%)", color="C1")
        ax2.grid(False)
        ax.set_xlabel("share of the mean full downtime (%), with 95 % CI")
        out.append("<h3>Downtime by cause</h3>" + F.svg(f"causes-{idx}", fig,
                   "Which causes the downtime comes from (Pareto): each cause's share of the mean full downtime with its 95 % CI (delta method), largest first; the line is the running total."))
        rows = "".join(f'<tr><td>{esc(c["cause"])}</td><td>{c["downtime_share"] * 100:.1f} %</td><td>{c["ci95"][0] * 100:.1f} – {c["ci95"][1] * 100:.1f} %</td>'
                       f'<td>{span_text(c.get("mean_minutes", 0) * per_year)}</td></tr>' for c in causes[:15])
        out.append(f'<table class="causes"><tr><th>cause</th><th>share</th><th>95 % CI</th><th>per year</th></tr>{rows}</table>')
    out.append("</section>")
    return "\n".join(out)


CLOCK_RE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d):(\d\d)(?::(\d\d))? ([+-]\d\d):(\d\d)$")


def wall_clock_origin(timeline):
    """The wall-clock time of t = 0 when the scenario has a start (naive local time), else None."""
    for e in timeline:
        m = CLOCK_RE.match(str(e.get("clock", "")))
        if m:
            d = datetime.datetime.fromisoformat(f"{m.group(1)} {m.group(2)}:{m.group(3)}:{m.group(4) or '00'}")
            return d - datetime.timedelta(minutes=float(e["t_minutes"])), f"UTC{m.group(5)}:{m.group(6)}"
    return None, None


def drill_section(F, d, idx):
    j = d["json"]
    tl, outs = j["timeline"], j["outages"]
    title = j.get("title") or j.get("scenario", "")
    out = [f'<section class="drill" id="drill-{idx}" data-doc="{idx - 1}"><h2>Drill: {esc(title)}</h2>',
           f'<p class="sub">{esc(j.get("scenario", ""))} — {"point replay (every duration at its median)" if j.get("point") else "sampled trajectory (seed %s, trial %s)" % (j.get("seed"), j.get("trial"))}'
           + (", variants: " + esc(", ".join(j.get("variants") or [])) if j.get("variants") else "") + "</p>"]
    full = [o for o in outs if o.get("severity") == "full"]
    words = [f'Full downtime {shown(j.get("downtime_minutes", 0), 1, 1, "downtime_minutes", " min")} ({span_text(j.get("downtime_minutes", 0))})'
             f', degraded {span_text(j.get("degraded_minutes", 0)) if j.get("degraded_minutes", 0) else "none"}'
             f', data lost {span_text(j.get("data_loss_seconds", 0) / 60) if j.get("data_loss_seconds", 0) else "none"}'
             + ("" if j.get("recovered", True) else "; <b>not recovered</b> by the end of the drill") + "."]
    for o in full:
        if o.get("rto"):
            words.append(esc(o["rto"]["verdict"]) + ".")
    for ob in j.get("objectives") or []:
        if ob.get("objective") == "rpo":
            for v in ob.get("verdicts", []):
                words.append(esc(v["verdict"]) + ".")
    dist = j.get("distribution")
    if dist:
        words.append(f'Over {dist["trials"]:,} sampled replays this timeline is at the {dist["timeline_percentile"] * 100:.0f}th percentile of {esc(dist.get("percentile_of", "downtime"))}'
                     + (f'; the real incident ({span_text(dist["reported_minutes"])}) at the {dist["reported_percentile"] * 100:.0f}th' if "reported_minutes" in dist else "") + ".")
        for kind, word in (("rto", "RTO"), ("rpo", "RPO")):
            for key, e in (dist.get(kind) or {}).items():
                p = e.get("p_breach_per_replay")
                if p:
                    target = span_text(e["target_minutes"] if kind == "rto" else e["target_seconds"] / 60)
                    words.append(f'{word} {target}{"" if key == "service" else " (" + esc(key) + ")"} breached in '
                                 f'{shown(p["value"], 100, 1, "distribution." + kind + "." + key + ".p_breach_per_replay.value", " %")} of the replays '
                                 f'<span class="ci">[{p["ci95"][0] * 100:.1f} – {p["ci95"][1] * 100:.1f} %]</span>.')
    out.append('<div class="headline"><p class="big">' + " ".join(words) + "</p></div>")

    # ---- the Gantt chart
    origin, tz = wall_clock_origin(tl)
    import matplotlib.dates as mdates
    conv = (lambda m: mdates.date2num(origin + datetime.timedelta(minutes=m))) if origin else (lambda m: m / 60)
    to_w = (lambda a, b: conv(b) - conv(a))
    rows, bars, marks = [], [], []  # bars: (row, start, end, style); marks: (row, t, marker, colour, label)

    def row(name):
        if name not in rows:
            rows.append(name)
        return rows.index(name)

    svc = row("service")
    for o in outs:
        bars.append((svc, o["start_minutes"], o["end_minutes"], "full" if o.get("severity") == "full" else "degraded"))
    end_t = max([e["t_minutes"] for e in tl] + [o["end_minutes"] for o in outs] + [1.0])
    down, latent, repair = {}, {}, {}
    for e in tl:
        t, ev, tg = e["t_minutes"], e["event"], e.get("target", "")
        if ev in ("fault", "hidden", "found", "restored", "repair", "failover", "FAILOVER FAILED", "switched", "battery", "battery out"):
            r = row(tg)
        if ev == "fault":
            down.setdefault(tg, t)
        elif ev == "hidden":
            latent.setdefault(tg, t)
        elif ev == "found" and tg in latent:
            bars.append((row(tg), latent.pop(tg), t, "latent"))
            down.setdefault(tg, t)
        elif ev == "repair":
            repair.setdefault(tg, t)
        elif ev == "restored":
            if tg in down:
                bars.append((row(tg), down.pop(tg), t, "down"))
            if tg in latent:
                bars.append((row(tg), latent.pop(tg), t, "latent"))
            if tg in repair:
                bars.append((row(tg), repair.pop(tg), t, "repair"))
        elif ev in ("failover", "switched"):
            marks.append((row(tg), t, ">", "C2", None))
        elif ev == "FAILOVER FAILED":
            marks.append((row(tg), t, "X", "C3", None))
        elif ev == "INJECT":
            marks.append((None, t, None, "C3", "inject " + str(tg)))
        elif ev == "detected":
            marks.append((None, t, None, "C0", "detected"))
    for tg, t in down.items():
        bars.append((row(tg), t, end_t, "down"))
    for tg, t in latent.items():
        bars.append((row(tg), t, end_t, "latent"))
    for tg, t in repair.items():
        bars.append((row(tg), t, end_t, "repair"))
    crit_names = set()
    for o in outs:
        for s in o.get("critical_path", []):
            crit_names.add(s["what"].split(" waited for ")[0])
    steps = []
    for e in tl:
        s = e.get("step")
        if e["event"] == "step" and s:
            r = row(f'{e.get("target", "")} / {e.get("detail", "")}')
            steps.append((r, s, e.get("detail", "") in crit_names))
    crit_rows = []
    for k, o in enumerate(outs):
        if o.get("critical_path"):
            crit_rows.append((row("critical path" + (f" (outage {k + 1})" if len(outs) > 1 else "")), o))

    # The window: the outages and what led up to them (as long before as they last), so
    # that a fault latent for months does not squeeze the incident into a sliver.
    lo_t, hi_t = 0.0, end_t
    if outs:
        first = min(o["start_minutes"] for o in outs)
        last = max(o["end_minutes"] for o in outs)
        look = max(last - first, 60.0)
        lo_t = min([first] + [e["t_minutes"] for e in tl if first - look <= e["t_minutes"] <= first and e["event"] != "hidden"])
        hi_t = max([last] + [e["t_minutes"] for e in tl if last <= e["t_minutes"] <= last + look])
    pad = 0.04 * max(hi_t - lo_t, 1.0)
    lo_t, hi_t = max(0.0, lo_t - pad), hi_t + pad
    earlier = sum(1 for e in tl if e["t_minutes"] < lo_t)
    marks = [m for m in marks if lo_t <= m[1] <= hi_t]

    colours = {"full": "#d62728", "degraded": "#ff9f40", "down": "#d62728", "latent": "#aaaaaa", "repair": "#8c1d1d"}
    fig, ax = F.new(9.5, max(2.6, 0.34 * len(rows) + 1.4))
    for o in outs:
        ax.axvspan(conv(o["start_minutes"]), conv(o["end_minutes"]), color=colours["full" if o.get("severity") == "full" else "degraded"], alpha=0.08, lw=0)
    for r, a, b, style in bars:
        ax.barh(r, to_w(a, max(b, a + 1e-6)), left=conv(a), height=0.55 if style != "repair" else 0.3, color=colours[style],
                hatch="//" if style == "latent" else None, edgecolor="white" if style != "latent" else "0.4", lw=0.5)
    for r, s, crit in steps:
        st = s["start_minutes"]
        if s.get("wait_minutes", 0) > 1e-9:
            ax.barh(r, to_w(s["ready_minutes"], st), left=conv(s["ready_minutes"]), height=0.55, color="none", edgecolor="C0", hatch="...", lw=0.6)
        ax.barh(r, to_w(st, st + max(s["duration_minutes"], 1e-6)), left=conv(st), height=0.55, color="C0",
                edgecolor="#f5b700" if crit else "white", lw=2.2 if crit else 0.5)
    for r, o in crit_rows:
        t = o["start_minutes"]
        for s in o["critical_path"]:
            m = float(s["minutes"])
            ax.barh(r, to_w(t, t + max(m, 1e-6)), left=conv(t), height=0.6, color="#f5b700" if not s.get("wait") else "none",
                    edgecolor="#b58500", hatch="..." if s.get("wait") else None, lw=0.8)
            t += m
    for r, t, marker, colour, label in marks:
        if r is None:
            ax.axvline(conv(t), color=colour, ls=":", lw=1)
            ax.annotate(label, (conv(t), 1.0), xycoords=("data", "axes fraction"), rotation=90, fontsize=7, color=colour,
                        xytext=(2, -4), textcoords="offset points", va="top")
        else:
            ax.plot([conv(t)], [r], marker=marker, color=colour, ms=6, ls="none")
    ax.set_xlim(conv(lo_t), conv(hi_t))
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    if origin:
        loc = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax.set_xlabel(f"wall clock ({tz})")
    else:
        from matplotlib.ticker import FuncFormatter

        def since(v, _):
            m = int(round(v * 60))
            d, h, mm = m // 1440, (m % 1440) // 60, m % 60
            return (f"{d} d " if d else "") + f"{h:02d}:{mm:02d}"
        ax.xaxis.set_major_formatter(FuncFormatter(since))
        ax.set_xlabel("time since the drill started (days, hh:mm)")
    from matplotlib.patches import Patch
    legend = [Patch(color=colours["full"], label="down / full outage"), Patch(color=colours["degraded"], label="degraded"),
              Patch(facecolor="white", edgecolor="0.4", hatch="//", label="latent fault"), Patch(color=colours["repair"], label="under repair"),
              Patch(color="C0", label="runbook step"), Patch(facecolor="white", edgecolor="C0", hatch="...", label="step waiting"),
              Patch(color="#f5b700", label="critical path")]
    ax.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=7, fontsize=7, frameon=False)
    out.append("<h3>Timeline</h3>" + F.svg(f"drill-timeline-{idx}", fig,
               "What each part did and when: components down (red), latent faults (hatched), repairs, failovers (▶) and failed failovers (✕); "
               "runbook steps with their waits (dotted); the service's outages shaded; the critical path of each recovery in gold."
               + (f" The chart starts {span_text(lo_t)} into the drill; {earlier} earlier events (latent faults, injections) are in the JSON." if earlier else "")))
    # ---- critical path in words, outages table
    rows_html = []
    for k, o in enumerate(outs):
        cp = " → ".join(f'{esc(s["what"])} {span_text(s["minutes"])}' for s in o.get("critical_path", []))
        rows_html.append(f'<tr><td>{k + 1}</td><td>{esc(o.get("severity", ""))}</td><td>{esc(o.get("start", ""))}</td><td>{span_text(o["end_minutes"] - o["start_minutes"])}</td>'
                         f'<td>{esc(o.get("cause", ""))}</td><td>{esc(o.get("rto", {}).get("verdict", ""))}</td><td class="cp">{cp}</td></tr>')
    if rows_html:
        out.append('<table class="outages"><tr><th>#</th><th>outage</th><th>start</th><th>lasted</th><th>cause</th><th>RTO</th><th>critical path</th></tr>'
                   + "".join(rows_html) + "</table>")
    waits = [(e, e["step"]) for e in tl if e["event"] == "step" and e.get("step") and e["step"].get("wait_minutes", 0) > 1e-9]
    if waits:
        out.append("<p>Steps that waited: " + "; ".join(f'{esc(e.get("detail", ""))} waited {span_text(s["wait_minutes"])} for {esc(s.get("waited_for", "") or "—")}' for e, s in waits) + ".</p>")
    if j.get("faults_present"):
        out.append("<p>Faults still present at the end: " + esc("; ".join(j["faults_present"])) + ".</p>")
    out.append("</section>")
    return "\n".join(out)


def compare_section(F, d, idx):
    j = d["json"]
    alts = j["alternatives"]
    out = [f'<section class="compare" id="compare-{idx}" data-doc="{idx - 1}"><h2>Compare: {esc(j.get("scenario", ""))}</h2>',
           f'<p class="sub">{int(j.get("trials", 0)):,} paired trials of {span_text(float(j.get("horizon_hours", 8760)) * 60)} each, common random numbers (seed {esc(j.get("seed", ""))})</p>']
    base = alts[0]
    words = []
    for ai, a in enumerate(alts[1:], start=1):
        dfm = a.get("delta_full_minutes")
        if not dfm:
            continue
        lo, hi = dfm["ci95"]
        sig = lo > 0 or hi < 0
        verb = "cuts" if dfm["mean"] < 0 else "adds"
        words.append(f'<li><b>{esc(a["name"])}</b> {verb} {shown(dfm["mean"], 1, 1, f"alternatives.{ai}.delta_full_minutes.mean", " min", absolute=True)} of full downtime per trial '
                     f'<span class="ci">(95 % CI {lo:+.1f} – {hi:+.1f} min)</span>'
                     + (" — a real difference." if sig else " — not distinguishable from no change at these trials.")
                     + (f' Availability {a["availability"]["mean"] * 100:.{pct_digits(a["availability"]["mean"])}f} % against {base["availability"]["mean"] * 100:.{pct_digits(base["availability"]["mean"])}f} %'
                        f' ({"%+.2f" % a["delta_nines"] if isinstance(a.get("delta_nines"), (int, float)) else "±∞"} nines).' if a.get("availability") and base.get("availability") else "") + "</li>")
    if words:
        out.append(f'<div class="headline"><p>Against <b>{esc(base["name"])}</b>:</p><ul>' + "".join(words) + "</ul></div>")
    metrics = [("delta_full_minutes", "Δ full downtime (min)", 1), ("delta_degraded_minutes", "Δ degraded (min)", 1),
               ("delta_p_any_outage", "Δ P(any outage)", 1), ("delta_p_rto_breach", "Δ P(≥1 RTO breach)", 1),
               ("delta_data_loss_seconds", "Δ data lost (s)", 1)]
    present = [m for m in metrics if any(a.get(m[0]) and (a[m[0]]["mean"] != 0 or a[m[0]]["ci95"] != [0, 0]) for a in alts[1:])]
    if present and len(alts) > 1:
        fig, axes = F.plt.subplots(1, len(present), figsize=(min(9.5, 2.6 * len(present) + 1.5), 0.45 * len(alts) + 1.4), layout="constrained", sharey=True)
        if len(present) == 1:
            axes = [axes]
        names = [a["name"] for a in alts[1:]]
        for ax, (key, label, _) in zip(axes, present):
            ms = [a.get(key, {"mean": 0})["mean"] for a in alts[1:]]
            lo = [m - a.get(key, {"ci95": [0, 0]})["ci95"][0] for m, a in zip(ms, alts[1:])]
            hi = [a.get(key, {"ci95": [0, 0]})["ci95"][1] - m for m, a in zip(ms, alts[1:])]
            cols = ["C2" if (m + h < 0) else "C3" if (m - l > 0) else "0.5" for m, l, h in zip(ms, lo, hi)]
            for y, (m, l, h, c) in enumerate(zip(ms, lo, hi, cols)):
                ax.errorbar([m], [y], xerr=[[max(0, l)], [max(0, h)]], fmt="o", color=c, capsize=4)
            ax.axvline(0, color="0.2", lw=0.8)
            ax.set_title(label, fontsize=9)
            ax.set_yticks(range(len(names)), names)
            ax.grid(axis="y", visible=False)
        axes[0].invert_yaxis()
        out.append("<h3>Paired differences</h3>" + F.svg(f"compare-{idx}", fig,
                   f"What each alternative changes against {esc(base['name'])}: paired differences per trial with 95 % CIs; green = better, red = worse, grey = the CI includes no change."))
    rows = "".join(f'<tr><td>{esc(a["name"])}</td><td>{a["full_minutes"]["mean"]:.1f} min</td>'
                   f'<td>{(a.get("availability", {}).get("mean", float("nan")) * 100):.{pct_digits(a.get("availability", {}).get("mean", 0.999))}f} %</td>'
                   f'<td>{a.get("p_rto_breach", {}).get("mean", 0):.3g}</td><td>{a.get("data_loss_seconds", {}).get("mean", 0):.3g} s</td></tr>' for a in alts)
    out.append(f'<table><tr><th>alternative</th><th>full downtime per trial</th><th>availability</th><th>P(≥1 RTO breach)</th><th>data lost</th></tr>{rows}</table>')
    out.append("</section>")
    return "\n".join(out)


CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-bottom:.3rem} .sub{color:#666;margin-top:0} .ci{color:#666;font-size:.9em}
.headline{background:#f4f7fb;border-left:4px solid #2a6fb0;padding:.4rem 1rem;margin:1rem 0}
.headline .big{font-size:1.08rem} .num{font-weight:700}
figure.plot{margin:1rem 0;page-break-inside:avoid} figure.plot svg{max-width:100%;height:auto;display:block}
figcaption{color:#555;font-size:.85rem} table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}
td,th{border:1px solid #ddd;padding:.2rem .45rem;vertical-align:top;text-align:left} th{background:#f2f2f2}
code{font-size:.8rem;word-break:break-all} td.cp{font-size:.8rem} .wide{overflow-x:auto}
@media print{body{max-width:none;margin:0} h2{page-break-before:auto} .headline{background:none}}
"""


def main(argv):
    args = argv[1:]
    png, command = None, ""
    while args and args[0] != "--":
        if args[0] == "--png" and len(args) > 1:
            png, args = args[1], args[2:]
        elif args[0] == "--command" and len(args) > 1:
            command, args = args[1], args[2:]
        else:
            fail(2, f"unknown argument {args[0]!r} (usage: drsim_report.py [--png DIR] [--command TEXT] -- RESULTS.json...)")
    paths = args[1:] if args else []
    if not paths:
        fail(2, "no results file given")
    try:
        docs = read_inputs(paths)
        if png:
            # Checked now, created only once everything is drawn.
            where = png if os.path.isdir(png) else os.path.dirname(os.path.abspath(png))
            if os.path.exists(png) and not os.path.isdir(png):
                raise BadInput(f"--png {png}: exists and is not a directory")
            if not os.path.isdir(where) or not os.access(where, os.W_OK | os.X_OK):
                raise BadInput(f"--png {png}: {'the directory' if where == png else 'its parent directory'} is not writable or does not exist")
    except BadInput as e:
        fail(2, str(e))
    F = Figures()
    body = []
    for i, d in enumerate(docs):
        body.append({"run": run_section, "drill": drill_section, "compare": compare_section}[d["kind"]](F, d, i + 1))
    names = sorted({d["json"].get("title") or d["json"].get("scenario", "") for d in docs})
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    prov = ("<section id=\"provenance\"><h2>Provenance</h2><p>Every number above comes from these files; the report simulated nothing. "
            f"Made {esc(now)} by <code>{esc(command or 'drsim report')}</code>.</p>"
            "<div class=\"wide\"><table><tr><th>kind</th><th>file</th><th>title</th><th>scenario</th><th>scenario SHA-256</th><th>seed</th><th>trials</th>"
            "<th>engine</th><th>drsim</th><th>command line</th><th>finished</th></tr>"
            + "".join(provenance_row(d) for d in docs) + "</table></div></section>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            f"<title>drsim report: {esc(', '.join(names))}</title><style>{CSS}</style></head><body>"
            f"<h1>drsim report</h1><p class=\"sub\">{esc(', '.join(names))}</p>\n"
            + "\n".join(body) + prov + "</body></html>\n")
    if png:
        F.write_png(png)
    sys.stdout.write(page)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(1)
    except Exception as e:  # a bug here, not bad input: say so
        import traceback
        traceback.print_exc()
        fail(1, f"internal error in the report script: {type(e).__name__}: {e}")
