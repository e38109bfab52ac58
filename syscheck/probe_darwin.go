package syscheck

import "context"

func probeMac(ctx context.Context) ([]GPU, *Display, error) {
	out, err := runProbe(ctx, "/usr/sbin/system_profiler", "SPDisplaysDataType", "-json")
	if err != nil {
		return nil, nil, err
	}
	return parseSystemProfiler(out)
}

func probeGraphics(ctx context.Context) graphics {
	gpus, d, err := probeMac(ctx)
	return graphics{gpus, err, d, err}
}
