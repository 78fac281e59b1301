"""The Word document: template, builder and read-back of narrative slots."""
