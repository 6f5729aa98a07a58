"""A contract type of our own for import-linter (``[tool.importlinter]`` in pyproject.toml).

``public_api``: an app is used from outside only through its ``api.py`` — a module of app A that
imports app B (B ≠ A) imports ``dangjian.B.api`` (or the package itself), never B's models,
services, selectors, forms or panels. The kernel (``core``) is the one exception: it has no single
entry module, so its public modules are listed in the contract (``kernel_public``) and every
other module of it (views, urls, selectors, tasks...) is private. Migrations are generated code
and are not checked. Issue 9 item 1; docs/decisions.md §33.
"""
from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class PublicApiContract(Contract):
    type_name = "public_api"

    container = fields.StringField()
    kernel = fields.StringField()
    kernel_public = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        root = self.container  # type: ignore[attr-defined]
        kernel = f"{root}.{self.kernel}"  # type: ignore[attr-defined]
        public = {f"{kernel}.{m}" for m in self.kernel_public}  # type: ignore[attr-defined]
        apps = {m for m in graph.find_children(root) if graph.find_children(m)}

        def app_of(module: str) -> str | None:
            parts = module.split(".")
            top = ".".join(parts[:2])
            return top if len(parts) >= 2 and top in apps else None

        illegal = []
        for importer in sorted(graph.modules):
            a = app_of(importer)
            if a is None or ".migrations" in importer:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                b = app_of(imported)
                if b is None or b == a:
                    continue
                if b == kernel:
                    ok = imported == kernel or any(imported == p or imported.startswith(p + ".") for p in public)
                else:
                    ok = imported in (b, f"{b}.api")
                if not ok:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    illegal.append((importer, imported, sorted({d["line_number"] for d in details})))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        illegal = check.metadata["illegal"]
        output.print_error(f"{len(illegal)} imports reach into another app (use that app's api.py):", bold=False)
        output.new_line()
        for importer, imported, lines in illegal:
            output.print_error(f"- {importer} -> {imported} (l.{', '.join(map(str, lines))})", bold=False)
        output.new_line()
