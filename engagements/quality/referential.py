"""Writes on the referential and the site scopes: YAML import, modules in scope per site."""

from __future__ import annotations

from django.db import transaction

from engagements.db import analyze
from engagements.organisation.models import Site

from .models import Commitment, Module, Referential, SiteScope


class ReferentialError(Exception):
    """A referential file or a scope refused (message in French)."""


def _text(value, where: str, *, required: bool = True, max_length: int = 300) -> str:
    if value is None:
        value = ""
    if not isinstance(value, (str, int, float)):
        raise ReferentialError(f"{where} : texte attendu")
    value = str(value).strip()
    if required and not value:
        raise ReferentialError(f"{where} : valeur obligatoire")
    if len(value) > max_length:
        raise ReferentialError(f"{where} : {len(value)} caractères, {max_length} au plus")
    return value


# Keys whose value is an identifier read as written (`version: 1.10` stays "1.10", not 1.1).
_TEXT_KEYS = {"code", "version", "ref"}


def _load_yaml(data: bytes | str):
    """yaml.safe_load refusing a key given twice in a mapping (PyYAML keeps the last one)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                return super().construct_mapping(node, deep=deep)
            self.flatten_mapping(node)
            mapping, lines = {}, {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError as exc:
                    raise ReferentialError(
                        f"ligne {key_node.start_mark.line + 1} : clé invalide"
                    ) from exc
                line = key_node.start_mark.line + 1
                if key in mapping:
                    raise ReferentialError(
                        f"ligne {line} : la clé « {key} » est en double "
                        f"(déjà donnée ligne {lines[key]})"
                    )
                if key in _TEXT_KEYS and isinstance(value_node, yaml.ScalarNode):
                    value = value_node.value if value_node.tag != "tag:yaml.org,2002:null" else None
                else:
                    value = self.construct_object(value_node, deep=deep)
                mapping[key], lines[key] = value, line
            return mapping

    StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_yaml_map)
    try:
        return yaml.load(data, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise ReferentialError(f"fichier YAML illisible : {exc}") from exc


def _flag(value, where: str) -> bool:
    """A yes/no key of the file: true or false only (a typo must not publish a text)."""
    if not isinstance(value, bool):
        raise ReferentialError(f"{where} : true ou false attendu")
    return value


def parse_referential(data: bytes | str) -> dict:
    """Check a referential YAML document and return it normalised (ReferentialError)."""
    doc = _load_yaml(data)
    if not isinstance(doc, dict):
        raise ReferentialError("le fichier doit décrire un référentiel (code, name, version…)")
    out = {
        "code": _text(doc.get("code"), "code", max_length=60),
        "name": _text(doc.get("name"), "name", max_length=200),
        "version": _text(doc.get("version"), "version", max_length=20),
        "description": _text(
            doc.get("description"), "description", required=False, max_length=5000
        ),
        "is_example": bool(doc.get("example", False)),
        "modules": [],
    }
    modules = doc.get("modules")
    if not isinstance(modules, list) or not modules:
        raise ReferentialError("modules : liste obligatoire et non vide")
    numbers = set()
    for index, module in enumerate(modules, 1):
        where = f"module {index}"
        if not isinstance(module, dict):
            raise ReferentialError(f"{where} : description attendue")
        number = module.get("number")
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number.strip())
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ReferentialError(f"{where} : number doit être un entier positif")
        if number in numbers:
            raise ReferentialError(f"{where} : le numéro {number} est en double")
        numbers.add(number)
        where = f"module {number}"
        commitments = module.get("commitments") or []
        if not isinstance(commitments, list):
            raise ReferentialError(f"{where} : commitments doit être une liste")
        refs = set()
        parsed = []
        for position, item in enumerate(commitments):
            if not isinstance(item, dict):
                raise ReferentialError(f"{where}, engagement {position + 1} : description attendue")
            ref = _text(item.get("ref"), f"{where}, engagement {position + 1}, ref", max_length=20)
            if ref in refs:
                raise ReferentialError(f"{where} : l'engagement {ref} est en double")
            refs.add(ref)
            evidence = item.get("expected_evidence") or []
            if not isinstance(evidence, list):
                raise ReferentialError(f"{where}, {ref} : expected_evidence doit être une liste")
            parsed.append(
                {
                    "ref": ref,
                    "title": _text(item.get("title"), f"{where}, {ref}, title"),
                    "description": _text(
                        item.get("description"),
                        f"{where}, {ref}, description",
                        required=False,
                        max_length=5000,
                    ),
                    "expected_evidence": [
                        _text(e, f"{where}, {ref}, expected_evidence") for e in evidence
                    ],
                    "is_public": _flag(item.get("public", False), f"{where}, {ref}, public"),
                    "position": position,
                }
            )
        out["modules"].append(
            {
                "number": number,
                "title": _text(module.get("title"), f"{where}, title"),
                "mandatory": bool(module.get("mandatory", False)),
                "commitments": parsed,
            }
        )
    return out


def import_referential(data: bytes | str) -> tuple[Referential, bool]:
    """Create the referential, or update the one with the same code and version.

    Modules and commitments are matched by number and ref; those no longer in the file are
    removed unless an assessment already uses them (then the import is refused).
    """
    doc = parse_referential(data)
    with transaction.atomic():
        analyze(Module, Commitment)  # fresh statistics once committed
        referential, created = Referential.objects.select_for_update().get_or_create(
            code=doc["code"],
            version=doc["version"],
            defaults={"name": doc["name"]},
        )
        referential.name = doc["name"]
        referential.description = doc["description"]
        referential.is_example = doc["is_example"]
        referential.save()
        _refuse_rewording_evaluated(referential, doc)
        kept_modules = []
        for item in doc["modules"]:
            module, _ = Module.objects.update_or_create(
                referential=referential,
                number=item["number"],
                defaults={"title": item["title"], "mandatory": item["mandatory"]},
            )
            kept_modules.append(module.pk)
            kept = []
            for c in item["commitments"]:
                commitment, _ = Commitment.objects.update_or_create(
                    module=module,
                    ref=c["ref"],
                    defaults={
                        "title": c["title"],
                        "description": c["description"],
                        "expected_evidence": c["expected_evidence"],
                        "is_public": c["is_public"],
                        "position": c["position"],
                    },
                )
                kept.append(commitment.pk)
            _delete_unused(Commitment.objects.filter(module=module).exclude(pk__in=kept))
        for module in referential.modules.exclude(pk__in=kept_modules):
            _delete_unused(module.commitments.all())
            module.delete()
        if created and is_labelling(referential):
            _scopes_from_labelled_modules(referential)
    return referential, created


def is_labelling(referential: Referential) -> bool:
    """A labelling referential (modules a site is labelled on), not the SP+ commitments."""
    return not referential.code.startswith("services-publics")


def _scopes_from_labelled_modules(referential: Referential) -> None:
    """A new labelling referential starts from what sites already show as labelled modules
    (organisation's `Site.labelled_modules`, kept before the quality app or by an earlier
    version): those modules, plus the mandatory ones, become the sites' scopes."""
    modules = {m.number: m for m in referential.modules.all()}
    mandatory = [m for m in modules.values() if m.mandatory]
    scopes = []
    for site in Site.objects.exclude(labelled_modules=[]):
        chosen = {modules[n] for n in site.labelled_modules or [] if n in modules}
        for module in chosen | set(mandatory) if chosen else ():
            scopes.append(SiteScope(prefecture_id=site.prefecture_id, site=site, module=module))
    SiteScope.objects.bulk_create(scopes, ignore_conflicts=True)


def _evaluated(commitments) -> set[int]:
    """The pks among these commitments that an assessment already uses (result or finding)."""
    from .models import CommitmentResult, Finding

    return set(
        CommitmentResult.objects.filter(commitment__in=commitments).values_list(
            "commitment_id", flat=True
        )
    ) | set(
        Finding.objects.filter(commitment__in=commitments).values_list("commitment_id", flat=True)
    )


def _refuse_rewording_evaluated(referential: Referential, doc: dict) -> None:
    """An evaluated commitment's wording is frozen: a finished audit's page, PDF and evidence
    pack keep the text that was assessed. Changing it needs a new version of the referential."""
    existing = Commitment.objects.filter(module__referential=referential).select_related("module")
    evaluated = _evaluated(existing)
    if not evaluated:
        return
    wanted = {(m["number"], c["ref"]): c for m in doc["modules"] for c in m["commitments"]}
    changed = []
    for commitment in existing:
        new = wanted.get((commitment.module.number, commitment.ref))
        if commitment.pk not in evaluated or new is None:
            continue
        if (new["title"], new["description"], list(new["expected_evidence"])) != (
            commitment.title,
            commitment.description,
            list(commitment.expected_evidence or []),
        ):
            changed.append(commitment.ref)
    if changed:
        raise ReferentialError(
            "le texte d'engagements déjà évalués ne peut plus changer dans la version "
            f"{referential.version} ({', '.join(sorted(changed))}) : publiez une nouvelle "
            "version du référentiel pour modifier leur libellé"
        )


def _delete_unused(commitments) -> None:
    if _evaluated(commitments):
        raise ReferentialError(
            "des engagements retirés du fichier sont déjà évalués : publiez une nouvelle "
            "version du référentiel plutôt que de modifier celle-ci"
        )
    commitments.delete()


def set_site_scope(site: Site, referential: Referential, numbers: list[int]) -> list[SiteScope]:
    """The modules of a referential a site is in scope for (mandatory modules always).

    The site's "modules labellisés" shown on the public prefecture page follow (they are
    kept on the organisation's Site, written here only).
    """
    modules = list(referential.modules.all())
    chosen = {m.pk for m in modules if m.number in set(numbers) or m.mandatory}
    unknown = set(numbers) - {m.number for m in modules}
    if unknown:
        raise ReferentialError(f"Modules inconnus : {', '.join(map(str, sorted(unknown)))}")
    with transaction.atomic():
        SiteScope.objects.filter(site=site, module__referential=referential).exclude(
            module_id__in=chosen
        ).delete()
        for module_id in chosen:
            SiteScope.objects.get_or_create(
                site=site, module_id=module_id, defaults={"prefecture_id": site.prefecture_id}
            )
        sync_labelled_modules(site)
    return list(SiteScope.objects.filter(site=site).select_related("module"))


def sync_labelled_modules(site: Site) -> None:
    """Write the labelling modules in scope onto the site (the public page reads them),
    for a site that holds no label yet; a site with labels shows its current labels'
    modules (labels.sync_labelled_modules).

    Every referential counts except the Services Publics + commitments (not a label's modules).
    """
    from engagements.organisation.enums import REFERENTIAL_MODULES

    from .models import Label

    if Label.objects.filter(site=site).exists():
        from .labels import sync_labelled_modules as from_labels

        from_labels([site])  # once a site holds labels, they say what it is labelled on
        return
    numbers = sorted(
        {
            n
            for n in SiteScope.objects.filter(site=site)
            .exclude(module__referential__code__startswith="services-publics")
            .values_list("module__number", flat=True)
            if n in REFERENTIAL_MODULES
        }
    )
    Site.objects.filter(pk=site.pk).update(labelled_modules=numbers)
    site.labelled_modules = numbers
