"""Flawed: gradient clipping that always rescales to the threshold.

``clip_coef = max_norm / (total_norm + 1e-6)`` is applied without clamping it to 1, so a
gradient whose norm is already below the threshold is scaled *up* to it: the clipped norm
is ``max_norm`` whatever the gradient, and small gradients are no longer left alone. (The
``+ 1e-6`` keeps a zero gradient finite, as in ``torch.nn.utils.clip_grad_norm_``.) A
function of a chapter added after ``dltheory check``: it joins by its reference name.
"""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, *, error_if_nonfinite=False):
    single = isinstance(grads, torch.Tensor)
    tensors = [grads] if single else list(grads)
    norms = torch.stack([torch.linalg.vector_norm(g.double(), norm_type) for g in tensors])
    total = torch.linalg.vector_norm(norms, norm_type)
    clip_coef = max_norm / (total + 1e-6)  # missing: clip_coef.clamp(max=1.0)
    clipped = [(g.double() * clip_coef).to(g.dtype) for g in tensors]
    return (clipped[0] if single else clipped), total.to(tensors[0].dtype)
