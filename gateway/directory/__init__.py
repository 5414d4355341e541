"""Who is who: the pupil roster and staff directory, imported, stored and snapshotted."""
