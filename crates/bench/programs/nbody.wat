;; N-body simulation (f64): five bodies, a heavy one in the centre and four on
;; roughly circular orbits; run(steps) integrates `steps` time steps of 0.01 with
;; the symplectic Euler method and returns the bits of the final total energy.
;; Body k lives at 64k: x 0, y 8, z 16, vx 24, vy 32, vz 40, mass 48.
(module
  (memory 1)

  (func $init
    (local $k i32) (local $p i32) (local $kf f64) (local $r f64)
    (local $px f64) (local $py f64) (local $pz f64)
    ;; The centre: at rest at the origin (its velocity is set below).
    (f64.store offset=0 (i32.const 0) (f64.const 0))
    (f64.store offset=8 (i32.const 0) (f64.const 0))
    (f64.store offset=16 (i32.const 0) (f64.const 0))
    (f64.store offset=24 (i32.const 0) (f64.const 0))
    (f64.store offset=32 (i32.const 0) (f64.const 0))
    (f64.store offset=40 (i32.const 0) (f64.const 0))
    (f64.store offset=48 (i32.const 0) (f64.const 40))
    ;; Body k at distance 1.5k + 0.5, slightly out of plane, with the circular speed.
    (local.set $k (i32.const 1))
    (loop $bodies
      (local.set $p (i32.shl (local.get $k) (i32.const 6)))
      (local.set $kf (f64.convert_i32_u (local.get $k)))
      (local.set $r (f64.add (f64.mul (local.get $kf) (f64.const 1.5)) (f64.const 0.5)))
      (f64.store offset=0 (local.get $p) (local.get $r))
      (f64.store offset=8 (local.get $p) (f64.mul (local.get $kf) (f64.const 0.1)))
      (f64.store offset=16 (local.get $p) (f64.mul (local.get $kf) (f64.const -0.05)))
      (f64.store offset=24 (local.get $p) (f64.mul (local.get $kf) (f64.const 0.02)))
      (f64.store offset=32 (local.get $p) (f64.sqrt (f64.div (f64.const 40) (local.get $r))))
      (f64.store offset=40 (local.get $p) (f64.mul (local.get $kf) (f64.const 0.01)))
      (f64.store offset=48 (local.get $p)
        (f64.mul (f64.mul (local.get $kf) (local.get $kf)) (f64.const 0.001)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $bodies (i32.lt_u (local.get $k) (i32.const 5))))
    ;; Give the centre the momentum that makes the total zero.
    (local.set $k (i32.const 0))
    (loop $momentum
      (local.set $p (i32.shl (local.get $k) (i32.const 6)))
      (local.set $px
        (f64.add (local.get $px)
          (f64.mul (f64.load offset=24 (local.get $p)) (f64.load offset=48 (local.get $p)))))
      (local.set $py
        (f64.add (local.get $py)
          (f64.mul (f64.load offset=32 (local.get $p)) (f64.load offset=48 (local.get $p)))))
      (local.set $pz
        (f64.add (local.get $pz)
          (f64.mul (f64.load offset=40 (local.get $p)) (f64.load offset=48 (local.get $p)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $momentum (i32.lt_u (local.get $k) (i32.const 5))))
    (f64.store offset=24 (i32.const 0) (f64.div (f64.neg (local.get $px)) (f64.const 40)))
    (f64.store offset=32 (i32.const 0) (f64.div (f64.neg (local.get $py)) (f64.const 40)))
    (f64.store offset=40 (i32.const 0) (f64.div (f64.neg (local.get $pz)) (f64.const 40))))

  (func $advance (param $dt f64)
    (local $i i32) (local $j i32) (local $pi i32) (local $pj i32)
    (local $dx f64) (local $dy f64) (local $dz f64) (local $d2 f64) (local $mag f64)
    (local $mi_mag f64) (local $mj_mag f64)
    ;; Velocities: every pair pulls on each other.
    (loop $outer
      (local.set $pi (i32.shl (local.get $i) (i32.const 6)))
      (local.set $j (i32.add (local.get $i) (i32.const 1)))
      (block $inner_done
        (loop $inner
          (br_if $inner_done (i32.ge_u (local.get $j) (i32.const 5)))
          (local.set $pj (i32.shl (local.get $j) (i32.const 6)))
          (local.set $dx (f64.sub (f64.load offset=0 (local.get $pi)) (f64.load offset=0 (local.get $pj))))
          (local.set $dy (f64.sub (f64.load offset=8 (local.get $pi)) (f64.load offset=8 (local.get $pj))))
          (local.set $dz (f64.sub (f64.load offset=16 (local.get $pi)) (f64.load offset=16 (local.get $pj))))
          (local.set $d2
            (f64.add
              (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy)))
              (f64.mul (local.get $dz) (local.get $dz))))
          (local.set $mag
            (f64.div (local.get $dt) (f64.mul (local.get $d2) (f64.sqrt (local.get $d2)))))
          (local.set $mi_mag (f64.mul (f64.load offset=48 (local.get $pi)) (local.get $mag)))
          (local.set $mj_mag (f64.mul (f64.load offset=48 (local.get $pj)) (local.get $mag)))
          (f64.store offset=24 (local.get $pi)
            (f64.sub (f64.load offset=24 (local.get $pi)) (f64.mul (local.get $dx) (local.get $mj_mag))))
          (f64.store offset=32 (local.get $pi)
            (f64.sub (f64.load offset=32 (local.get $pi)) (f64.mul (local.get $dy) (local.get $mj_mag))))
          (f64.store offset=40 (local.get $pi)
            (f64.sub (f64.load offset=40 (local.get $pi)) (f64.mul (local.get $dz) (local.get $mj_mag))))
          (f64.store offset=24 (local.get $pj)
            (f64.add (f64.load offset=24 (local.get $pj)) (f64.mul (local.get $dx) (local.get $mi_mag))))
          (f64.store offset=32 (local.get $pj)
            (f64.add (f64.load offset=32 (local.get $pj)) (f64.mul (local.get $dy) (local.get $mi_mag))))
          (f64.store offset=40 (local.get $pj)
            (f64.add (f64.load offset=40 (local.get $pj)) (f64.mul (local.get $dz) (local.get $mi_mag))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 5))))
    ;; Positions: one step along the new velocities.
    (local.set $i (i32.const 0))
    (loop $move
      (local.set $pi (i32.shl (local.get $i) (i32.const 6)))
      (f64.store offset=0 (local.get $pi)
        (f64.add (f64.load offset=0 (local.get $pi))
          (f64.mul (local.get $dt) (f64.load offset=24 (local.get $pi)))))
      (f64.store offset=8 (local.get $pi)
        (f64.add (f64.load offset=8 (local.get $pi))
          (f64.mul (local.get $dt) (f64.load offset=32 (local.get $pi)))))
      (f64.store offset=16 (local.get $pi)
        (f64.add (f64.load offset=16 (local.get $pi))
          (f64.mul (local.get $dt) (f64.load offset=40 (local.get $pi)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $move (i32.lt_u (local.get $i) (i32.const 5)))))

  ;; Kinetic minus potential energy.
  (func $energy (result f64)
    (local $i i32) (local $j i32) (local $pi i32) (local $pj i32) (local $e f64)
    (local $mi f64) (local $vx f64) (local $vy f64) (local $vz f64)
    (local $dx f64) (local $dy f64) (local $dz f64)
    (loop $outer
      (local.set $pi (i32.shl (local.get $i) (i32.const 6)))
      (local.set $mi (f64.load offset=48 (local.get $pi)))
      (local.set $vx (f64.load offset=24 (local.get $pi)))
      (local.set $vy (f64.load offset=32 (local.get $pi)))
      (local.set $vz (f64.load offset=40 (local.get $pi)))
      (local.set $e
        (f64.add (local.get $e)
          (f64.mul (f64.mul (f64.const 0.5) (local.get $mi))
            (f64.add
              (f64.add (f64.mul (local.get $vx) (local.get $vx)) (f64.mul (local.get $vy) (local.get $vy)))
              (f64.mul (local.get $vz) (local.get $vz))))))
      (local.set $j (i32.add (local.get $i) (i32.const 1)))
      (block $inner_done
        (loop $inner
          (br_if $inner_done (i32.ge_u (local.get $j) (i32.const 5)))
          (local.set $pj (i32.shl (local.get $j) (i32.const 6)))
          (local.set $dx (f64.sub (f64.load offset=0 (local.get $pi)) (f64.load offset=0 (local.get $pj))))
          (local.set $dy (f64.sub (f64.load offset=8 (local.get $pi)) (f64.load offset=8 (local.get $pj))))
          (local.set $dz (f64.sub (f64.load offset=16 (local.get $pi)) (f64.load offset=16 (local.get $pj))))
          (local.set $e
            (f64.sub (local.get $e)
              (f64.div
                (f64.mul (local.get $mi) (f64.load offset=48 (local.get $pj)))
                (f64.sqrt
                  (f64.add
                    (f64.add (f64.mul (local.get $dx) (local.get $dx)) (f64.mul (local.get $dy) (local.get $dy)))
                    (f64.mul (local.get $dz) (local.get $dz)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 5))))
    (local.get $e))

  (func (export "run") (param $steps i32) (result i64)
    (local $i i32)
    (call $init)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $steps)))
        (call $advance (f64.const 0.01))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (i64.reinterpret_f64 (call $energy))))
