"""Official editions: the shared data list as the People's Committee issues it with a decision
(``citycat release``). ``annex`` decides what the annex holds and in which order; ``paged`` lays
HTML out as a paged A4 document (PDF); the other modules write the annex in each format, the
changelog against the previous edition and the manifest."""
