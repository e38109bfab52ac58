#!/usr/bin/env bash
# Remakes the archives of this corpus made with Debian's tools (see
# README.md): zip 3.0 (Info-ZIP) and GNU tar 1.34. Run it in this folder;
# the archives Go's standard library ships are copied, not made here.
set -euo pipefail
export TZ=UTC LC_ALL=C.UTF-8
out=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Names in UTF-8 without the UTF-8 flag, as Debian's zip -r writes them.
mkdir -p utf8/Résumé && echo cv > utf8/Résumé/cv.txt && echo world > utf8/世界.txt
touch -d '2022-02-02 02:02:02' utf8/Résumé/cv.txt utf8/世界.txt utf8/Résumé
(cd utf8 && rm -f "$out/debian-zip-utf8-names.zip" && zip -qr "$out/debian-zip-utf8-names.zip" .)
# Encrypted (ZipCrypto), bzip2-compressed, links kept as links.
mkdir -p plain && echo "secret text" > plain/secret.txt && yes "some text" | head -300 > plain/text.txt && ln -sf secret.txt plain/link && touch -h -d '2022-02-02 02:02:02' plain/*
(cd plain && rm -f "$out"/debian-zip-{encrypted,bzip2,symlinks}.zip &&
  zip -q -P password "$out/debian-zip-encrypted.zip" secret.txt &&
  zip -q -Z bzip2 "$out/debian-zip-bzip2.zip" text.txt &&
  zip -qy "$out/debian-zip-symlinks.zip" secret.txt link)

# A 50 MiB sparse file of three words: tar -cSzf (GNU 'S') and POSIX.
mkdir -p sparse && truncate -s 50M sparse/big.img
printf start | dd of=sparse/big.img conv=notrunc status=none
printf middle | dd of=sparse/big.img bs=1 seek=26214400 conv=notrunc status=none
printf end | dd of=sparse/big.img bs=1 seek=52428797 conv=notrunc status=none
echo small > sparse/note.txt
touch -d '2021-03-04 05:06:07' sparse/big.img sparse/note.txt && touch -d '2020-01-02 03:04:05' sparse
tar --format=gnu -cSzf "$out/gnu-sparse.tar.gz" -C sparse .
tar --format=posix -cSzf "$out/posix-sparse.tar.gz" -C sparse .

# Folder modes that keep their owner out, and times.
mkdir -p modes/locked/inner modes/open && echo f > modes/locked/inner/file.txt && echo g > modes/open/g.txt
chmod 640 modes/locked/inner/file.txt && chmod 500 modes/locked/inner && chmod 142 modes/locked && chmod 775 modes/open
touch -d '2019-05-06 07:08:10' modes/locked/inner/file.txt modes/open/g.txt
touch -d '2010-10-10 10:10:10' modes/locked/inner modes/open && touch -d '2001-02-03 04:05:06' modes/locked
tar --format=gnu -czf "$out/gnu-folder-modes.tar.gz" -C modes locked open
chmod -R u+rwx modes

# An incremental dump (GNU 'D' entries) and a volume label ('V').
mkdir -p inc/dir && echo a > inc/dir/a.txt && touch -d '2018-08-08 08:08:08' inc/dir/a.txt inc/dir
tar --format=gnu -czf "$out/gnu-incremental.tar.gz" --listed-incremental=snar -C inc dir
tar --format=gnu -czf "$out/gnu-volume-label.tar.gz" -V "Backup 2018" -C inc dir

# A FIFO; the second volume of a multi-volume archive (starts with 'M').
mkdir -p fifo && mkfifo fifo/pipe && echo x > fifo/x.txt
tar --format=gnu -czf "$out/gnu-fifo.tar.gz" -C fifo x.txt pipe
head -c 30000 /dev/urandom > mv.bin
tar --format=gnu -cM -L 20 -f v1.tar -f v2.tar mv.bin
gzip -9nc v2.tar > "$out/gnu-multi-volume-2.tar.gz"
