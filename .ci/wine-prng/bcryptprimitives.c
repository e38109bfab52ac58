/*
 * A stand-in for Windows' bcryptprimitives.dll, for tests under Wine only.
 *
 * Go 1.22 and later load bcryptprimitives.dll at start and call ProcessPrng
 * for all their randomness; Wine 8.0 does not ship that DLL, so without it
 * every Go program dies before main. Real Windows 10 and later have it: this
 * file is never shipped. ProcessPrng is built on advapi32's
 * SystemFunction036 (RtlGenRandom), which Wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	/* RtlGenRandom takes a ULONG: fill larger buffers in pieces. */
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
