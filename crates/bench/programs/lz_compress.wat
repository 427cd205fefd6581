;; Compression: run(n) generates n bytes of text-like data (letters, and copies
;; of earlier stretches), compresses them with a greedy LZ77 (a 4-byte hash
;; table of last positions), decompresses the result, checks the round trip
;; (-2 if it fails) and returns (compressed length << 32) | FNV-1a of the
;; compressed bytes.
;;
;; Format: a token byte t < 128 is followed by t + 1 literal bytes; a token
;; t >= 128 is a match of length t - 124 (4..131) at the distance given by the
;; next two bytes (little-endian, 1..65535).
;;
;; Layout: hash table at 0 (4096 words), input at 64 KiB (n <= 448 KiB),
;; compressed data at 512 KiB, decompressed data at 1 MiB.
(module
  (memory 24)

  (global $input i32 (i32.const 0x10000))
  (global $output i32 (i32.const 0x80000))
  (global $decoded i32 (i32.const 0x100000))

  (func $next_random (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))

  ;; n bytes at $input: mostly copies of 4..35 earlier bytes from up to 1 KiB back.
  (func $generate (param $n i32)
    (local $pos i32) (local $x i32) (local $r i32) (local $len i32) (local $dist i32)
    (local.set $x (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pos) (local.get $n)))
        (local.set $x (call $next_random (local.get $x)))
        (local.set $r (i32.shr_u (local.get $x) (i32.const 16)))
        (if (i32.or
              (i32.lt_u (local.get $pos) (i32.const 64))
              (i32.eqz (i32.and (local.get $r) (i32.const 3))))
          (then
            ;; A letter from a..p.
            (i32.store8 (i32.add (global.get $input) (local.get $pos))
              (i32.add (i32.const 97) (i32.and (i32.shr_u (local.get $r) (i32.const 2)) (i32.const 15))))
            (local.set $pos (i32.add (local.get $pos) (i32.const 1))))
          (else
            (local.set $len (i32.add (i32.const 4) (i32.and (i32.shr_u (local.get $r) (i32.const 2)) (i32.const 31))))
            (local.set $x (call $next_random (local.get $x)))
            (local.set $dist
              (i32.add (i32.const 1)
                (i32.rem_u (i32.shr_u (local.get $x) (i32.const 22))
                  (select (local.get $pos) (i32.const 1024) (i32.lt_u (local.get $pos) (i32.const 1024))))))
            (block $copied
              (loop $copy
                (br_if $copied (i32.or (i32.eqz (local.get $len)) (i32.ge_u (local.get $pos) (local.get $n))))
                (i32.store8 (i32.add (global.get $input) (local.get $pos))
                  (i32.load8_u
                    (i32.add (global.get $input) (i32.sub (local.get $pos) (local.get $dist)))))
                (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
                (local.set $len (i32.sub (local.get $len) (i32.const 1)))
                (br $copy)))))
        (br $next))))

  ;; Writes the literals $input[from..to) at $out in runs of at most 128; returns the new $out.
  (func $emit_literals (param $out i32) (param $from i32) (param $to i32) (result i32)
    (local $k i32)
    (block $done
      (loop $run
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $k (i32.sub (local.get $to) (local.get $from)))
        (if (i32.gt_u (local.get $k) (i32.const 128)) (then (local.set $k (i32.const 128))))
        (i32.store8 (local.get $out) (i32.sub (local.get $k) (i32.const 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (loop $copy
          (i32.store8 (local.get $out) (i32.load8_u (i32.add (global.get $input) (local.get $from))))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))
          (local.set $from (i32.add (local.get $from) (i32.const 1)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $copy (local.get $k)))
        (br $run)))
    (local.get $out))

  ;; Compresses $input[0..n) to $output; returns the compressed length.
  (func $compress (param $n i32) (result i32)
    (local $i i32) (local $literal i32) (local $out i32) (local $word i32)
    (local $slot i32) (local $candidate i32) (local $dist i32) (local $len i32)
    ;; Empty the hash table (a slot holds a position + 1; 0 is empty).
    (loop $clear
      (i32.store (local.get $slot) (i32.const 0))
      (local.set $slot (i32.add (local.get $slot) (i32.const 4)))
      (br_if $clear (i32.lt_u (local.get $slot) (i32.const 0x4000))))
    (local.set $out (global.get $output))
    (block $end
      (loop $scan
        (br_if $end (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $word (i32.load (i32.add (global.get $input) (local.get $i))))
        (local.set $slot
          (i32.shl
            (i32.shr_u (i32.mul (local.get $word) (i32.const 0x9e3779b1)) (i32.const 20))
            (i32.const 2)))
        (local.set $candidate (i32.load (local.get $slot)))
        (i32.store (local.get $slot) (i32.add (local.get $i) (i32.const 1)))
        (block $no_match
          (br_if $no_match (i32.eqz (local.get $candidate)))
          (local.set $candidate (i32.sub (local.get $candidate) (i32.const 1)))
          (local.set $dist (i32.sub (local.get $i) (local.get $candidate)))
          (br_if $no_match (i32.gt_u (local.get $dist) (i32.const 65535)))
          (br_if $no_match
            (i32.ne (i32.load (i32.add (global.get $input) (local.get $candidate))) (local.get $word)))
          ;; Extend the match as far as it goes (at most 131 bytes).
          (local.set $len (i32.const 4))
          (block $extended
            (loop $extend
              (br_if $extended (i32.ge_u (i32.add (local.get $i) (local.get $len)) (local.get $n)))
              (br_if $extended (i32.ge_u (local.get $len) (i32.const 131)))
              (br_if $extended
                (i32.ne
                  (i32.load8_u (i32.add (global.get $input) (i32.add (local.get $candidate) (local.get $len))))
                  (i32.load8_u (i32.add (global.get $input) (i32.add (local.get $i) (local.get $len))))))
              (local.set $len (i32.add (local.get $len) (i32.const 1)))
              (br $extend)))
          (local.set $out (call $emit_literals (local.get $out) (local.get $literal) (local.get $i)))
          (i32.store8 (local.get $out) (i32.add (local.get $len) (i32.const 124)))
          (i32.store8 offset=1 (local.get $out) (local.get $dist))
          (i32.store8 offset=2 (local.get $out) (i32.shr_u (local.get $dist) (i32.const 8)))
          (local.set $out (i32.add (local.get $out) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (local.get $len)))
          (local.set $literal (local.get $i))
          (br $scan))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (local.set $out (call $emit_literals (local.get $out) (local.get $literal) (local.get $n)))
    (i32.sub (local.get $out) (global.get $output)))

  ;; Decompresses $output[0..len) to $decoded; returns the decompressed length.
  (func $decompress (param $len i32) (result i32)
    (local $in i32) (local $end i32) (local $out i32) (local $token i32) (local $k i32) (local $from i32)
    (local.set $in (global.get $output))
    (local.set $end (i32.add (global.get $output) (local.get $len)))
    (local.set $out (global.get $decoded))
    (block $done
      (loop $tokens
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        (local.set $token (i32.load8_u (local.get $in)))
        (local.set $in (i32.add (local.get $in) (i32.const 1)))
        (if (i32.lt_u (local.get $token) (i32.const 128))
          (then
            (local.set $k (i32.add (local.get $token) (i32.const 1)))
            (local.set $from (local.get $in))
            (local.set $in (i32.add (local.get $in) (local.get $k))))
          (else
            (local.set $k (i32.sub (local.get $token) (i32.const 124)))
            (local.set $from
              (i32.sub (local.get $out)
                (i32.or
                  (i32.load8_u (local.get $in))
                  (i32.shl (i32.load8_u offset=1 (local.get $in)) (i32.const 8)))))
            (local.set $in (i32.add (local.get $in) (i32.const 2)))))
        ;; Byte by byte: a match may overlap its own output.
        (loop $copy
          (i32.store8 (local.get $out) (i32.load8_u (local.get $from)))
          (local.set $out (i32.add (local.get $out) (i32.const 1)))
          (local.set $from (i32.add (local.get $from) (i32.const 1)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $copy (local.get $k)))
        (br $tokens)))
    (i32.sub (local.get $out) (global.get $decoded)))

  (func (export "run") (param $n i32) (result i64)
    (local $len i32) (local $i i32) (local $hash i32)
    (if (i32.gt_u (local.get $n) (i32.const 0x70000)) (then (return (i64.const -1))))
    (call $generate (local.get $n))
    (local.set $len (call $compress (local.get $n)))
    ;; The round trip must give the input back.
    (if (i32.ne (call $decompress (local.get $len)) (local.get $n))
      (then (return (i64.const -2))))
    (block $same
      (loop $compare
        (br_if $same (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ne
              (i32.load8_u (i32.add (global.get $input) (local.get $i)))
              (i32.load8_u (i32.add (global.get $decoded) (local.get $i))))
          (then (return (i64.const -2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $compare)))
    ;; FNV-1a over the compressed bytes.
    (local.set $hash (i32.const 0x811c9dc5))
    (local.set $i (i32.const 0))
    (block $hashed
      (loop $bytes
        (br_if $hashed (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $hash
          (i32.mul
            (i32.xor (local.get $hash) (i32.load8_u (i32.add (global.get $output) (local.get $i))))
            (i32.const 0x01000193)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))
      (i64.extend_i32_u (local.get $hash)))))
