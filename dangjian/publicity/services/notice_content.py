"""Aggregate: a notice's version — what its text and files may contain (before it is saved,
submitted or approved).

Rules encoded (rule version :data:`~._common.RULE_VERSION`; sources: issue 5, seed 001 "党务公开",
DOMAIN §10 and §11 "Personal information"):

* P5 Attachments: PDF / images / xlsx only, size-limited, images re-encoded (EXIF stripped);
  public only when their version is public (DOMAIN §10: collect and show only what is needed).
* P6 No personal data on a public board (DOMAIN §10; §11 "Personal information & security": ID
  number and phone are personal information, masked everywhere; issue 5: public pages show "no
  personal data beyond what the notice itself publishes"). [block] a resident ID number (GB 11643,
  18 characters, validated — see ``pii``) in the title or text, always; [block] a mainland mobile
  number unless the author confirms that the numbers in the notice are public contact numbers
  (the same for attachment file names, which the board lists, and for the text inside PDF, xlsx
  and docx attachments — numbers written with Unicode spaces, zero-width characters, dots or in
  groups are found too, see ``pii``; images are not OCRed)
  (e.g. the service hotline) — the confirmation is stored with the version
  (``NoticeVersion.public_phones``) and in the audit row. Checked when a notice is saved (forms,
  ``create_notice`` for other apps' generated notices), submitted and approved, so an older draft
  cannot slip through either. (The honour citation's P6 check is in :mod:`.honours`.)
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from dangjian.core.errors import collected

from .. import pii
from ..files import clean_attachment, max_count
from ..models import NoticeAttachment, NoticeVersion

TITLE_MAX = 200
BODY_MAX = 50_000


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    body = (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [ValidationError(_("A notice needs a title."), code="no_title")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [ValidationError(_("The title is too long (at most %(n)s characters).") % {"n": TITLE_MAX}, code="title_too_long")]
    if not body:
        errors["body"] = [ValidationError(_("A notice needs a text."), code="no_text")]
    elif len(body) > BODY_MAX:
        errors["body"] = [ValidationError(_("The text is too long (at most %(n)s characters).") % {"n": BODY_MAX}, code="text_too_long")]
    if errors:  # every field error above is coded; the outer code names the whole refusal
        raise collected(errors)
    return title, body


def _personal_data_errors(title: str, body: str, *, public_phones: bool) -> dict:
    """P6: the field errors for personal data in a notice's title and text (empty: none)."""
    errors: dict[str, list[str]] = {}
    for field, text, where in (("title", title, _("The title")), ("body", body, _("The text"))):
        ids = pii.find_id_numbers(text)
        if ids:
            errors.setdefault(field, []).append(ValidationError(
                _("%(where)s contains an ID number (%(numbers)s). A public board never shows ID numbers: remove it.")
                % {"where": where, "numbers": "、".join(ids)}, code="pii_id_number"))
        phones = [] if public_phones else pii.find_mobiles(text)
        if phones:
            errors.setdefault(field, []).append(ValidationError(
                _("%(where)s contains a mobile phone number (%(numbers)s). A public board shows no personal phone numbers: "
                  "remove it, or, if it is a public contact number (e.g. the service hotline), tick "
                  "“These phone numbers are public contact numbers”.") % {"where": where, "numbers": "、".join(phones)},
                code="pii_mobile"))
    return errors


def _attachment_content_errors(cf, *, public_phones: bool) -> list[ValidationError]:
    """P6 on what an attachment shows (issue 10 item 9): the text of a PDF, the cells of an xlsx
    workbook, the text of a docx (``pii.attachment_text``; images are not OCRed). The same rule as
    the notice's text: ID numbers always refused, mobile numbers unless confirmed as public."""
    text = pii.attachment_text(cf.content, cf.content_type)
    if not text:
        return []
    out = []
    ids = pii.find_id_numbers(text)
    if ids:
        out.append(ValidationError(
            _("The file %(name)s contains an ID number (%(numbers)s). A public board never shows ID numbers: "
              "remove it from the file.") % {"name": pii.mask_numbers(cf.name), "numbers": "、".join(ids)},
            code="pii_id_number_in_file"))
    phones = [] if public_phones else pii.find_mobiles(text)
    if phones:
        out.append(ValidationError(
            _("The file %(name)s contains a mobile phone number (%(numbers)s). A public board shows no personal phone "
              "numbers: remove it from the file, or, if it is a public contact number (e.g. the service hotline), tick "
              "“These phone numbers are public contact numbers”.") % {"name": pii.mask_numbers(cf.name), "numbers": "、".join(phones)},
            code="pii_mobile_in_file"))
    return out


def check_personal_data(title: str, body: str, *, public_phones: bool = False) -> None:
    """P6 on a text about to be saved: ValidationError keyed by field (title / body), numbers masked."""
    errors = _personal_data_errors(title, body, public_phones=public_phones)
    if errors:  # field errors coded pii_id_number / pii_mobile (_personal_data_errors)
        raise collected(errors)


def _check_version(v: NoticeVersion) -> None:
    """P6 again on a stored version before it is submitted or approved (a draft saved before the
    rule existed, or changed outside the forms): a plain message naming the version."""
    errors = _personal_data_errors(v.title, v.body, public_phones=v.public_phones)
    if errors:
        msgs = [e.message for errs in errors.values() for e in errs]
        raise ValidationError(_("Version %(n)s cannot go to the public board: %(why)s Edit the notice first.") % {
            "n": v.number, "why": " ".join(msgs)}, code="pii_stored_version")


def _clean_files(attachments, *, public_phones: bool = False) -> list:
    """P5 on every file; P6 on the file names, which the public board lists, and on the files' text."""
    cleaned = []
    errors = []
    for up in attachments or ():
        try:
            cf = clean_attachment(up)
        except ValidationError as exc:
            # keep the codes (core.uploads refusals: macros, dde, ...)
            errors.extend(exc.error_list if hasattr(exc, "error_list") else [e for errs in exc.error_dict.values() for e in errs])
            continue
        ids = pii.find_id_numbers(cf.name)
        phones = [] if public_phones else pii.find_mobiles(cf.name)
        if ids or phones:
            errors.append(ValidationError(
                _("The file name %(name)s contains an ID or mobile phone number (%(numbers)s): rename the file.") % {
                    "name": pii.mask_numbers(cf.name), "numbers": "、".join(ids + phones)}, code="pii_file_name"))
            continue
        content_errors = _attachment_content_errors(cf, public_phones=public_phones)
        if content_errors:
            errors.extend(content_errors)
            continue
        cleaned.append(cf)
    if errors:  # every item coded: the upload checks' codes, pii_file_name, pii_*_in_file
        raise collected({"attachments": errors})
    return cleaned


def _add_files(version: NoticeVersion, cleaned: list) -> None:
    if version.attachments.count() + len(cleaned) > max_count():
        raise ValidationError({"attachments": [ValidationError(_("At most %(n)s attachments per notice.") % {"n": max_count()},
                                                               code="too_many_attachments")]})
    for cf in cleaned:
        att = NoticeAttachment(version=version, name=cf.name,
                               content_type=cf.content_type, size=len(cf.content))
        att.file.save(cf.name, ContentFile(cf.content), save=False)
        att.save()
