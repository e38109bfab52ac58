package syscheck

import "golang.org/x/sys/cpu"

// runtimeFeatures are the instruction-set extensions the processor reports
// through CPUID (x86) or the OS (arm64): the same answer on every OS, where
// gopsutil lists flags on Linux only.
func runtimeFeatures() []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	add(cpu.X86.HasSSE3, "sse3")
	add(cpu.X86.HasSSSE3, "ssse3")
	add(cpu.X86.HasSSE41, "sse4_1")
	add(cpu.X86.HasSSE42, "sse4_2")
	add(cpu.X86.HasAVX, "avx")
	add(cpu.X86.HasAVX2, "avx2")
	add(cpu.X86.HasAVX512F, "avx512f")
	add(cpu.X86.HasFMA, "fma")
	add(cpu.X86.HasBMI2, "bmi2")
	add(cpu.X86.HasAES, "aes")
	add(cpu.X86.HasPOPCNT, "popcnt")
	add(cpu.ARM64.HasASIMD, "neon")
	add(cpu.ARM64.HasAES, "aes")
	add(cpu.ARM64.HasSHA2, "sha2")
	add(cpu.ARM64.HasCRC32, "crc32")
	add(cpu.ARM64.HasATOMICS, "atomics")
	return out
}
