package ui

// Pad fits s into exactly w cells, truncating with an ellipsis when it is too long; for
// pages that lay out their own text (the HPA explainer).
func Pad(s string, w int, a Align) string { return pad(s, w, a) }

// Block fits styled lines into exactly w × h cells.
func Block(lines []string, w, h int) string { return block(lines, w, h) }
