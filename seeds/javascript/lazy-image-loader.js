export function lazyLoadImages(root = document, rootMargin = '200px') {
  const images = root.querySelectorAll('img[data-src]');
  const load = (img) => {
    img.src = img.dataset.src;
    if (img.dataset.srcset) img.srcset = img.dataset.srcset;
    img.removeAttribute('data-src');
    img.classList.add('loaded');
  };
  if (!('IntersectionObserver' in window)) {
    images.forEach(load);
    return;
  }
  const io = new IntersectionObserver((entries, obs) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        load(entry.target);
        obs.unobserve(entry.target);
      }
    }
  }, { rootMargin });
  images.forEach((img) => io.observe(img));
}
