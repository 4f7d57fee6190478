package simkit

// Window is the page [lo, hi) of n rows that a list serves from offset, at
// most size rows (0 = the rest), and the total it reports, under the paging
// faults: with shrink, pages after the first (offset > 0) see a third fewer
// rows; with endless, the total is at least one page past this one and
// pages past the end start over from the first rows.
func Window(n, offset, size int, shrink, endless bool) (lo, hi, total int) {
	if shrink && offset > 0 {
		n -= n / 3
	}
	total, lo, hi = n, min(offset, n), n
	if size > 0 {
		hi = min(n, lo+size)
	}
	if endless && n > 0 && size > 0 {
		total = max(n, offset+2*size)
		lo = offset % n
		hi = min(n, lo+size)
	}
	return lo, hi, total
}
