// RUN: dlnc-opt %s -pass-pipeline='builtin.module(func.func(dln-expand-optimizers))' | FileCheck %s

// An SGD step becomes param - grad * broadcast(lr).
// CHECK-LABEL: func @sgd
// CHECK-SAME: (%[[P:.*]]: tensor<4x3xf32>, %[[G:.*]]: tensor<4x3xf32>, %[[LR:.*]]: tensor<f32>)
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]] [4, 3] dims [] : tensor<f32> -> tensor<4x3xf32>
// CHECK: %[[STEP:.*]] = dln.mul %[[G]], %[[B]] : tensor<4x3xf32>
// CHECK: %[[NEW:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK-NOT: dln.sgd_update
// CHECK: return %[[NEW]]
func.func @sgd(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %lr: tensor<f32>) -> tensor<4x3xf32> {
  %0 = dln.sgd_update %p, %g, %lr : tensor<4x3xf32>, tensor<f32>
  return %0 : tensor<4x3xf32>
}

// SGD with momentum (PyTorch's rule): v' = momentum * v + g; p' = p - lr * v'.
// CHECK-LABEL: func @momentum
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[V:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK: %[[MU:.*]] = arith.constant dense<9.000000e-01> : tensor<3xf64>
// CHECK: %[[MV:.*]] = dln.mul %[[V]], %[[MU]]
// CHECK: %[[NV:.*]] = dln.add %[[MV]], %[[G]]
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]] [3] dims []
// CHECK: %[[STEP:.*]] = dln.mul %[[NV]], %[[B]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NV]]
func.func @momentum(%p: tensor<3xf64>, %g: tensor<3xf64>, %v: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.sgd_momentum_update %p, %g, %v, %lr {momentum = 9.000000e-01 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}

// Weight decay adds weight_decay * p to the gradient first.
// CHECK-LABEL: func @sgd_decay
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK: %[[WD:.*]] = arith.constant dense<1.000000e-02>
// CHECK: %[[D:.*]] = dln.mul %[[P]], %[[WD]]
// CHECK: %[[G2:.*]] = dln.add %[[G]], %[[D]]
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[G2]], %[[B]]
// CHECK: %[[NEW:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NEW]]
func.func @sgd_decay(%p: tensor<3xf64>, %g: tensor<3xf64>, %lr: tensor<f64>) -> tensor<3xf64> {
  %0 = dln.sgd_update %p, %g, %lr {weight_decay = 1.0e-02 : f64} : tensor<3xf64>, tensor<f64>
  return %0 : tensor<3xf64>
}

// Nesterov momentum steps along g + momentum * b'.
// CHECK-LABEL: func @nesterov
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[V:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK: %[[MU:.*]] = arith.constant dense<9.000000e-01>
// CHECK: %[[MV:.*]] = dln.mul %[[V]], %[[MU]]
// CHECK: %[[NV:.*]] = dln.add %[[MV]], %[[G]]
// CHECK: %[[MNV:.*]] = dln.mul %[[NV]], %[[MU]]
// CHECK: %[[DIR:.*]] = dln.add %[[G]], %[[MNV]]
// CHECK: %[[B:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[DIR]], %[[B]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NV]]
func.func @nesterov(%p: tensor<3xf64>, %g: tensor<3xf64>, %b: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.sgd_momentum_update %p, %g, %b, %lr {momentum = 9.0e-01 : f64, nesterov} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}

// Dampening scales g by 1 - dampening, except at the first step (t == 1),
// where the zero buffer must become g itself.
// CHECK-LABEL: func @dampening
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[V:.*]]: tensor<3xf64>, %[[T:.*]]: tensor<f64>, %[[LR:.*]]: tensor<f64>)
// CHECK-DAG: %[[MU:.*]] = arith.constant dense<9.000000e-01> : tensor<3xf64>
// CHECK-DAG: %[[KEEP:.*]] = arith.constant dense<7.500000e-01> : tensor<f64>
// CHECK-DAG: %[[DAMP:.*]] = arith.constant dense<2.500000e-01> : tensor<f64>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK: %[[FIRST:.*]] = dln.compare eq, %[[T]], %[[ONE]]
// CHECK: %[[F1:.*]] = dln.mul %[[FIRST]], %[[DAMP]]
// CHECK: %[[C:.*]] = dln.add %[[F1]], %[[KEEP]]
// CHECK: %[[CB:.*]] = dln.broadcast %[[C]]
// CHECK: %[[CG:.*]] = dln.mul %[[G]], %[[CB]]
// CHECK: %[[MV:.*]] = dln.mul %[[V]], %[[MU]]
// CHECK: %[[NV:.*]] = dln.add %[[MV]], %[[CG]]
// CHECK: return %{{.*}}, %[[NV]]
func.func @dampening(%p: tensor<3xf64>, %g: tensor<3xf64>, %b: tensor<3xf64>, %t: tensor<f64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.sgd_momentum_update %p, %g, %b, %lr step %t {momentum = 9.0e-01 : f64, dampening = 2.5e-01 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}

// Adam: coupled weight decay, moment averages, bias corrections
// 1 - exp(t * log(beta)), step lr / (1 - b1^t) along m / (sqrt(v) / sqrt(1 - b2^t) + eps).
// CHECK-LABEL: func @adam
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[M:.*]]: tensor<3xf64>, %[[V:.*]]: tensor<3xf64>, %[[T:.*]]: tensor<f64>, %[[LR:.*]]: tensor<f64>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant dense<1.000000e-08> : tensor<3xf64>
// CHECK-DAG: %[[LOG2:.*]] = arith.constant dense<-1.3862943611198906> : tensor<f64>
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK-DAG: %[[LOG1:.*]] = arith.constant dense<-0.69314718055994529> : tensor<f64>
// CHECK-DAG: %[[WD:.*]] = arith.constant dense<1.000000e-01> : tensor<3xf64>
// CHECK: %[[D:.*]] = dln.mul %[[P]], %[[WD]]
// CHECK: %[[G2:.*]] = dln.add %[[G]], %[[D]]
// CHECK: %[[NM:.*]] = dln.add
// CHECK: %[[GG:.*]] = dln.mul %[[G2]], %[[G2]]
// CHECK: %[[NV:.*]] = dln.add
// CHECK: %[[E1:.*]] = dln.mul %[[T]], %[[LOG1]] : tensor<f64>
// CHECK: %[[X1:.*]] = dln.exp %[[E1]]
// CHECK: %[[BC1:.*]] = dln.sub %[[ONE]], %[[X1]]
// CHECK: %[[SIZE:.*]] = dln.div %[[LR]], %[[BC1]]
// CHECK: %[[E2:.*]] = dln.mul %[[T]], %[[LOG2]] : tensor<f64>
// CHECK: %[[X2:.*]] = dln.exp %[[E2]]
// CHECK: %[[BC2:.*]] = dln.sub %[[ONE]], %[[X2]]
// CHECK: %[[SQ2:.*]] = dln.sqrt %[[BC2]]
// CHECK: %[[SQ2B:.*]] = dln.broadcast %[[SQ2]]
// CHECK: %[[SV:.*]] = dln.sqrt %[[NV]]
// CHECK: %[[VH:.*]] = dln.div %[[SV]], %[[SQ2B]]
// CHECK: %[[DEN:.*]] = dln.add %[[VH]], %[[EPS]]
// CHECK: %[[DIR:.*]] = dln.div %[[NM]], %[[DEN]]
// CHECK: %[[SB:.*]] = dln.broadcast %[[SIZE]]
// CHECK: %[[STEP:.*]] = dln.mul %[[DIR]], %[[SB]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NM]], %[[NV]]
func.func @adam(%p: tensor<3xf64>, %g: tensor<3xf64>, %m: tensor<3xf64>, %v: tensor<3xf64>, %t: tensor<f64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) {
  %0:3 = dln.adam_update %p, %g, %m, %v, %t, %lr {beta1 = 5.0e-01 : f64, beta2 = 2.5e-01 : f64, eps = 1.0e-08 : f64, weight_decay = 1.0e-01 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1, %0#2 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>
}

// AdamW decays the parameter itself by 1 - lr * weight_decay; with beta1 = 0
// the first moment is g and needs no bias correction.
// CHECK-LABEL: func @adamw
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %{{.*}}: tensor<3xf64>, %{{.*}}: tensor<3xf64>, %{{.*}}: tensor<f64>, %[[LR:.*]]: tensor<f64>)
// CHECK-DAG: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK-DAG: %[[WD:.*]] = arith.constant dense<1.000000e-01> : tensor<f64>
// CHECK: %[[LW:.*]] = dln.mul %[[LR]], %[[WD]] : tensor<f64>
// CHECK: %[[KEEP:.*]] = dln.sub %[[ONE]], %[[LW]]
// CHECK: %[[KB:.*]] = dln.broadcast %[[KEEP]]
// CHECK: %[[DP:.*]] = dln.mul %[[P]], %[[KB]]
// CHECK: %[[DIR:.*]] = dln.div %[[G]], %{{.*}}
// CHECK: %[[LB:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[DIR]], %[[LB]]
// CHECK: %[[NP:.*]] = dln.sub %[[DP]], %[[STEP]]
// CHECK: return %[[NP]]
func.func @adamw(%p: tensor<3xf64>, %g: tensor<3xf64>, %m: tensor<3xf64>, %v: tensor<3xf64>, %t: tensor<f64>, %lr: tensor<f64>) -> tensor<3xf64> {
  %0:3 = dln.adam_update %p, %g, %m, %v, %t, %lr {beta1 = 0.0 : f64, beta2 = 5.0e-01 : f64, eps = 1.0e-08 : f64, weight_decay = 1.0e-01 : f64, decoupled} : tensor<3xf64>, tensor<f64>
  return %0#0 : tensor<3xf64>
}

// RMSprop: v' = alpha * v + (1 - alpha) * g^2, p - lr * g / (sqrt(v') + eps).
// CHECK-LABEL: func @rmsprop
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[S:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant dense<1.000000e-08>
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant dense<7.500000e-01>
// CHECK-DAG: %[[REST:.*]] = arith.constant dense<2.500000e-01>
// CHECK: %[[GG:.*]] = dln.mul %[[G]], %[[G]]
// CHECK: %[[NEW:.*]] = dln.mul %[[GG]], %[[REST]]
// CHECK: %[[OLD:.*]] = dln.mul %[[S]], %[[ALPHA]]
// CHECK: %[[NS:.*]] = dln.add %[[OLD]], %[[NEW]]
// CHECK: %[[R:.*]] = dln.sqrt %[[NS]]
// CHECK: %[[DEN:.*]] = dln.add %[[R]], %[[EPS]]
// CHECK: %[[DIR:.*]] = dln.div %[[G]], %[[DEN]]
// CHECK: %[[LB:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[DIR]], %[[LB]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NS]]
func.func @rmsprop(%p: tensor<3xf64>, %g: tensor<3xf64>, %s: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.rmsprop_update %p, %g, %s, %lr {alpha = 7.5e-01 : f64, eps = 1.0e-08 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}

// With momentum the buffer accumulates the RMSprop direction.
// CHECK-LABEL: func @rmsprop_momentum
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %{{.*}}: tensor<3xf64>, %{{.*}}: tensor<3xf64>, %[[B:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK: %[[MU:.*]] = arith.constant dense<5.000000e-01>
// CHECK: %[[NS:.*]] = dln.add
// CHECK: %[[DIR:.*]] = dln.div
// CHECK: %[[MB:.*]] = dln.mul %[[B]], %[[MU]]
// CHECK: %[[NB:.*]] = dln.add %[[MB]], %[[DIR]]
// CHECK: %[[LB:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[NB]], %[[LB]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NS]], %[[NB]]
func.func @rmsprop_momentum(%p: tensor<3xf64>, %g: tensor<3xf64>, %s: tensor<3xf64>, %b: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) {
  %0:3 = dln.rmsprop_momentum_update %p, %g, %s, %b, %lr {alpha = 7.5e-01 : f64, eps = 1.0e-08 : f64, momentum = 5.0e-01 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1, %0#2 : tensor<3xf64>, tensor<3xf64>, tensor<3xf64>
}

// Adagrad: s' = s + g^2 (g with weight decay), p - lr * g / (sqrt(s') + eps).
// CHECK-LABEL: func @adagrad
// CHECK-SAME: (%[[P:.*]]: tensor<3xf64>, %[[G:.*]]: tensor<3xf64>, %[[S:.*]]: tensor<3xf64>, %[[LR:.*]]: tensor<f64>)
// CHECK-DAG: %[[EPS:.*]] = arith.constant dense<1.000000e-10>
// CHECK-DAG: %[[WD:.*]] = arith.constant dense<1.000000e-02>
// CHECK: %[[D:.*]] = dln.mul %[[P]], %[[WD]]
// CHECK: %[[G2:.*]] = dln.add %[[G]], %[[D]]
// CHECK: %[[GG:.*]] = dln.mul %[[G2]], %[[G2]]
// CHECK: %[[NS:.*]] = dln.add %[[S]], %[[GG]]
// CHECK: %[[R:.*]] = dln.sqrt %[[NS]]
// CHECK: %[[DEN:.*]] = dln.add %[[R]], %[[EPS]]
// CHECK: %[[DIR:.*]] = dln.div %[[G2]], %[[DEN]]
// CHECK: %[[LB:.*]] = dln.broadcast %[[LR]]
// CHECK: %[[STEP:.*]] = dln.mul %[[DIR]], %[[LB]]
// CHECK: %[[NP:.*]] = dln.sub %[[P]], %[[STEP]]
// CHECK: return %[[NP]], %[[NS]]
func.func @adagrad(%p: tensor<3xf64>, %g: tensor<3xf64>, %s: tensor<3xf64>, %lr: tensor<f64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %0:2 = dln.adagrad_update %p, %g, %s, %lr {eps = 1.0e-10 : f64, weight_decay = 1.0e-02 : f64} : tensor<3xf64>, tensor<f64>
  return %0#0, %0#1 : tensor<3xf64>, tensor<3xf64>
}
