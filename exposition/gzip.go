package exposition

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
)

// Deflated is an encoding of a source's data families kept as a raw
// DEFLATE stream (RFC 1951) that ends in a final block, with the CRC-32
// and length of the text it holds: what a gzip member needs to carry it
// behind the health families without compressing it again.
type Deflated struct {
	z    []byte
	crc  uint32
	size int64
}

// Len is the length of the compressed stream.
func (d *Deflated) Len() int { return len(d.z) }

// Size is the length of the text the stream holds.
func (d *Deflated) Size() int64 { return d.size }

// dataLevel compresses the kept data: a fifth fewer bytes than
// BestSpeed for twice its time, paid once per render and saved on every
// scrape, where the bytes are most of the cost (BENCHMARKS.md).
const dataLevel = 5

// Deflate compresses what encode writes. sizeHint, the length of the
// last such stream, saves growing the buffer from nothing.
func Deflate(encode func(io.Writer) error, sizeHint int) (*Deflated, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint + sizeHint/8)
	zw, err := flate.NewWriter(&buf, dataLevel)
	if err != nil {
		return nil, err
	}
	sum := &checksum{w: zw}
	if err := encode(sum); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	z := buf.Bytes()
	if cap(z) > len(z)+len(z)/4 {
		// Kept until the next render: not with a doubled buffer's slack.
		z = bytes.Clone(z)
	}
	return &Deflated{z: z, crc: sum.crc, size: sum.n}, nil
}

// checksum passes writes on, summing what passes.
type checksum struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (c *checksum) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// gzipHeader starts a member: no name, no time, no level named (a member
// mixes two), an unknown OS (RFC 1952 section 2.3).
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

var flateWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return zw
}}

// Head is what an answer holds before the data: its text, and the start
// of a gzip member made of it, the header then the text as DEFLATE ending
// in a sync flush (a non-final block on a byte boundary), which a kept
// data stream can follow as it is: that stream's back-references reach no
// further back than its own start.
type Head struct {
	text []byte
	gzip []byte
	crc  uint32
}

// Text is the head's text, uncompressed.
func (h *Head) Text() []byte { return h.text }

// NewHead compresses text as the start of a gzip member.
func NewHead(text []byte) (*Head, error) {
	var z bytes.Buffer
	z.Write(gzipHeader)
	zw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(zw)
	zw.Reset(&z)
	if _, err := zw.Write(text); err != nil {
		return nil, err
	}
	if err := zw.Flush(); err != nil {
		return nil, err
	}
	return &Head{text: text, gzip: z.Bytes(), crc: crc32.ChecksumIEEE(text)}, nil
}

// GzipMember returns h followed by data's text as one gzip member, in
// parts to write in turn: every decoder reads one member whole, where curl
// and browsers stop after the first of several. Only the trailer is made
// here; the rest are kept bytes, written without a copy. Its CRC-32 is
// h's combined with data's.
func GzipMember(h *Head, data *Deflated) [3][]byte {
	crc := crc32Combine(h.crc, data.crc, data.size)
	trailer := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, crc), uint32(int64(len(h.text))+data.size))
	return [3][]byte{h.gzip, data.z, trailer}
}

var flateReaders sync.Pool

// InflateTo writes d's text to w as it inflates it: the whole text is
// never held per request.
func (d *Deflated) InflateTo(w io.Writer) error {
	src := bytes.NewReader(d.z)
	zr, ok := flateReaders.Get().(io.ReadCloser)
	if ok {
		_ = zr.(flate.Resetter).Reset(src, nil)
	} else {
		zr = flate.NewReader(src)
	}
	defer flateReaders.Put(zr)
	_, err := io.Copy(w, zr)
	return err
}

// crc32Combine returns the CRC-32 of a text whose first part has CRC crc1
// and whose second part, len2 bytes long, has CRC crc2: zlib's
// crc32_combine, which multiplies crc1 by x^(8 len2) modulo the
// polynomial.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; len2 > 0; len2, k = len2>>1, k+1 {
		if len2&1 != 0 {
			p = multModP(x2n[k&31], p)
		}
	}
	return multModP(p, crc1) ^ crc2
}

// x2n[k] is x^(2^k) modulo the CRC-32 polynomial.
var x2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = multModP(p, p)
	}
	return t
}()

// multModP multiplies a and b modulo the CRC-32 polynomial, in the
// reflected bit order CRC-32 uses.
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}
