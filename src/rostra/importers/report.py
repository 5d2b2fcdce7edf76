"""What an import did, counted as it goes and printed at the end."""

from collections import Counter
from dataclasses import dataclass, field

from rostra.importers.records import Problem

MAX_LISTED_PROBLEMS = 50


@dataclass
class ImportReport:
    format: str
    file: str
    site: str
    dry_run: bool = False
    threads_seen: int = 0
    threads_created: int = 0
    threads_touched: int = 0
    comments_seen: int = 0
    imported: int = 0
    updated: int = 0
    skipped: Counter = field(default_factory=Counter)
    orphans: int = 0
    outcome: dict[str, int] = field(default_factory=dict)
    unchecked: int = 0  # imported published, read by no moderation checker here or at the source
    sanctions_seen: int = 0  # Rostra's own export carries the site's sanctions
    sanctions_added: int = 0
    sanctions_lifted: int = 0
    sanctions_skipped: int = 0
    threads_skipped: int = 0  # thread records that were bad; their comments count on their own
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    seconds: float = 0.0

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if problem.record == "sanction":
            self.sanctions_seen += 1
            self.sanctions_skipped += 1
        elif problem.record == "thread":
            self.threads_skipped += 1
        else:
            self.skipped["invalid record"] += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(problem)

    @property
    def rate(self) -> float:
        return self.comments_seen / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        head = "Dry run (nothing written)" if self.dry_run else "Import finished"
        out = [
            f"{head}: {self.format} file {self.file} into site {self.site}",
            f"  threads: {self.threads_seen} seen, {self.threads_created} new, "
            f"{self.threads_touched} with new or changed comments",
            f"  comments: {self.comments_seen} seen, {self.imported} imported, "
            f"{self.updated} updated, {sum(self.skipped.values())} skipped",
        ]
        for status, count in sorted(self.outcome.items()):
            out.append(f"    imported as {status}: {count}")
        for reason, count in sorted(self.skipped.items()):
            out.append(f"    skipped, {reason}: {count}")
        out.append(f"  orphans attached at top level: {self.orphans}")
        if self.sanctions_seen:
            out.append(
                f"  sanctions: {self.sanctions_seen} seen, {self.sanctions_added} added, "
                f"{self.sanctions_lifted} lifted, {self.sanctions_skipped} skipped as invalid"
            )
        if self.threads_skipped:
            out.append(f"  thread records skipped as invalid: {self.threads_skipped}")
        for problem in self.problems:
            out.append(f"  bad record at {problem.position}: {problem.message}")
        if self.problem_count > len(self.problems):
            out.append(f"  ... and {self.problem_count - len(self.problems)} more bad records")
        out.append(f"  time: {self.seconds:.1f} s ({self.rate:,.0f} comments/s)")
        return out

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "file": self.file,
            "site": self.site,
            "dry_run": self.dry_run,
            "threads": {
                "seen": self.threads_seen,
                "created": self.threads_created,
                "changed": self.threads_touched,
                "skipped": self.threads_skipped,
            },
            "comments": {
                "seen": self.comments_seen,
                "imported": self.imported,
                "updated": self.updated,
                "skipped": dict(self.skipped),
                "outcome": dict(self.outcome),
                "orphans": self.orphans,
                "unchecked": self.unchecked,
            },
            "sanctions": {
                "seen": self.sanctions_seen,
                "added": self.sanctions_added,
                "lifted": self.sanctions_lifted,
                "skipped": self.sanctions_skipped,
            },
            "problems": [{"position": p.position, "message": p.message} for p in self.problems],
            "seconds": round(self.seconds, 3),
        }
