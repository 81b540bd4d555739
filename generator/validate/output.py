"""The validate report as text (a line per failure), JSON, or JUnit XML (one test case per
checked object per stage, so CI systems list every object and show failures natively)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from generator.core.errors import escape
from generator.validate.pipeline import Report
from generator.validate.report import STAGES, Finding


def _one_line(message: str) -> str:
    # Escaped: findings quote the bundle's names, keys and values, which a merge request writes.
    return " | ".join(escape(part.strip()) for part in message.splitlines() if part.strip())


def text(report: Report) -> str:
    lines = [
        f"{f.cluster}  {f.stage}  {escape(f.object) or '-'}  {escape(f.path) or '-'}  {_one_line(f.message)}"
        for f in report.findings
    ]
    lines += [f"{cluster}  {stage}  -  -  {why}" for (cluster, stage), why in sorted(report.skipped.items())]
    s = report.summary()
    counts = ", ".join(f"{stage} {n}" for stage, n in s["findingsByStage"].items())
    verdict = "FAILED" if report.findings else "passed"
    lines.append(
        f"{verdict}: {s['clusters']} cluster(s), {s['findings']} finding(s) ({counts}); "
        f"{s['objectsValidated']} distinct object(s) schema-validated ({s['schemaEngine'] or 'none'})"
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return (
        json.dumps(
            {"summary": report.summary(), "findings": [f.as_dict() for f in report.findings]},
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )


def _matches(f: Finding, subject: str) -> bool:
    # Policy findings about the spec name its line (clusters/x.yaml:12:3); the subject is the file.
    return f.object == subject or f.object.startswith(subject + ":")


def junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="rhoai-gitops validate")
    total = failures = 0
    for stage in STAGES:
        owners = sorted(
            {c for (c, s) in [*report.checked, *report.skipped] if s == stage}
            | {f.cluster for f in report.findings if f.stage == stage}
        )
        for cluster in owners:
            subjects = list(dict.fromkeys(report.checked.get((cluster, stage), [])))
            found = [f for f in report.findings if f.stage == stage and f.cluster == cluster]
            claimed: set[int] = set()
            cases: list[tuple[str, list[Finding]]] = []
            for subject in subjects:
                mine = [f for i, f in enumerate(found) if i not in claimed and _matches(f, subject)]
                claimed |= {i for i, f in enumerate(found) if _matches(f, subject)}
                cases.append((subject, mine))
            for i, f in enumerate(found):
                if i not in claimed:  # a finding about something the stage did not list
                    cases.append((f.object or cluster, [f]))
                    claimed.add(i)
            suite = ET.SubElement(
                suites,
                "testsuite",
                name=f"{cluster} {stage}",
                tests=str(len(cases)),
                failures=str(sum(1 for _, fs in cases if fs)),
            )
            if (cluster, stage) in report.skipped:
                case = ET.SubElement(suite, "testcase", classname=f"{cluster}.{stage}", name=cluster)
                ET.SubElement(case, "skipped", message=report.skipped[(cluster, stage)])
                suite.set("tests", str(len(cases) + 1))
                suite.set("skipped", "1")
            for subject, fs in cases:
                case = ET.SubElement(suite, "testcase", classname=f"{cluster}.{stage}", name=escape(subject))
                if fs:
                    # XML cannot hold most control characters: escaped, as in the text report.
                    body = "\n".join(
                        f"{escape(f.path) or '(object)'}: " + "\n".join(map(escape, f.message.split("\n"))) for f in fs
                    )
                    first = escape((fs[0].message.splitlines() or [""])[0])
                    failure = ET.SubElement(case, "failure", message=first[:500], type=stage)
                    failure.text = body
            total += len(cases)
            failures += sum(1 for _, fs in cases if fs)
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


FORMATS = {"text": text, "json": as_json, "junit": junit}
