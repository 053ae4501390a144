package devpts

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// termiosBytes encodes t as struct termios2 (struct termios is its first
// termiosSize bytes).
func termiosBytes(t *unix.Termios) []byte {
	b := make([]byte, 44)
	binary.LittleEndian.PutUint32(b[0:], t.Iflag)
	binary.LittleEndian.PutUint32(b[4:], t.Oflag)
	binary.LittleEndian.PutUint32(b[8:], t.Cflag)
	binary.LittleEndian.PutUint32(b[12:], t.Lflag)
	b[16] = t.Line
	copy(b[17:36], t.Cc[:])
	binary.LittleEndian.PutUint32(b[36:], t.Ispeed)
	binary.LittleEndian.PutUint32(b[40:], t.Ospeed)
	return b
}

// setTermiosBytes decodes b (struct termios or termios2) into t.
func setTermiosBytes(t *unix.Termios, b []byte) {
	t.Iflag = binary.LittleEndian.Uint32(b[0:])
	t.Oflag = binary.LittleEndian.Uint32(b[4:])
	t.Cflag = binary.LittleEndian.Uint32(b[8:])
	t.Lflag = binary.LittleEndian.Uint32(b[12:])
	t.Line = b[16]
	copy(t.Cc[:], b[17:36])
	if len(b) >= 44 {
		t.Ispeed = binary.LittleEndian.Uint32(b[36:])
		t.Ospeed = binary.LittleEndian.Uint32(b[40:])
	}
}

func winsizeBytes(ws *unix.Winsize) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint16(b[0:], ws.Row)
	binary.LittleEndian.PutUint16(b[2:], ws.Col)
	binary.LittleEndian.PutUint16(b[4:], ws.Xpixel)
	binary.LittleEndian.PutUint16(b[6:], ws.Ypixel)
	return b
}

func setWinsizeBytes(ws *unix.Winsize, b []byte) {
	ws.Row = binary.LittleEndian.Uint16(b[0:])
	ws.Col = binary.LittleEndian.Uint16(b[2:])
	ws.Xpixel = binary.LittleEndian.Uint16(b[4:])
	ws.Ypixel = binary.LittleEndian.Uint16(b[6:])
}

// fioasync is FIOASYNC, which unix lacks.
const fioasync = 0x5452
