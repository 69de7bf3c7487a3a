#!/bin/sh
# Fetches MovieLens ml-latest-small into DEST/ml-latest-small (default DEST: data).
#
# With MOVIELENS_MIRROR set to a directory that holds ml-latest-small/, the files are
# copied from there; otherwise the zip is downloaded from GroupLens.  Either way every
# CSV file is checked against the SHA-256 sums below (those of the files GroupLens
# publishes), and the data set appears under its final name only when complete: a
# failed or interrupted fetch leaves nothing half-written behind.
set -eu

dest=${1:-data}
name=ml-latest-small
url=${MOVIELENS_URL:-https://files.grouplens.org/datasets/movielens/$name.zip}

sums="97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31  links.csv
5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07  movies.csv
aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646  ratings.csv
92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d  tags.csv"

verify() { # DIR: checks every CSV against the pinned sums
    (cd "$1" && printf '%s\n' "$sums" | sha256sum --check --quiet --strict -)
}

if [ -d "$dest/$name" ] && verify "$dest/$name" >/dev/null 2>&1; then
    exit 0
fi

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

if [ -n "${MOVIELENS_MIRROR:-}" ]; then
    if [ ! -d "$MOVIELENS_MIRROR/$name" ]; then
        echo "make data: MOVIELENS_MIRROR=$MOVIELENS_MIRROR has no $name/ directory" >&2
        exit 1
    fi
    echo "make data: copying $name from $MOVIELENS_MIRROR"
    mkdir "$tmp/$name"
    cp "$MOVIELENS_MIRROR/$name"/*.csv "$tmp/$name/"
    [ -f "$MOVIELENS_MIRROR/$name/README.txt" ] && cp "$MOVIELENS_MIRROR/$name/README.txt" "$tmp/$name/"
    chmod u+w "$tmp/$name"/*
else
    echo "make data: downloading $url"
    if ! curl -fL --retry 2 -o "$tmp/$name.zip" "$url"; then
        echo "make data: download failed; set MOVIELENS_MIRROR=DIR to copy a local copy instead" >&2
        exit 1
    fi
    (cd "$tmp" && unzip -q "$name.zip")
fi

if ! verify "$tmp/$name"; then
    echo "make data: checksum mismatch in $name: refusing the data set" >&2
    exit 1
fi
rm -rf "$dest/$name.old"
[ -d "$dest/$name" ] && mv "$dest/$name" "$dest/$name.old"
mv "$tmp/$name" "$dest/$name"
rm -rf "$dest/$name.old"
echo "make data: $dest/$name ready (checksums verified)"
