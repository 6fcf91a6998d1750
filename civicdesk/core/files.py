"""Saving uploaded files so that a failed save leaves nothing behind (not even half a file)."""

import errno

from django.core.files.base import File
from django.db.models.fields.files import FieldFile

# "No space left on device" and "disk quota exceeded": the same thing to the person uploading.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in _DISK_FULL


def save_file(field_file: FieldFile, name: str, content: File) -> str:
    """Store ``content`` as ``field_file`` (like ``field_file.save(name, content, save=False)``)
    and return the stored name; if the storage fails part-way, remove what it had written.

    Django's FileSystemStorage leaves a truncated file behind when a write fails (a full
    disk), under a name the caller never learns. Our upload paths are random, so the name
    chosen here is the one the storage writes to, and it did not exist before.
    """
    field = field_file.field
    target = field.generate_filename(field_file.instance, name)
    storage = field_file.storage
    existed = storage.exists(target)
    try:
        stored = storage.save(target, content, max_length=field.max_length)
    except BaseException:
        if not existed and storage.exists(target):
            storage.delete(target)
        raise
    field_file.name = stored
    setattr(field_file.instance, field.attname, stored)
    field_file._committed = True
    return stored
