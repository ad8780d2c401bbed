"""Hero images: resized renditions made once after saving, and the <picture> data pages print."""
