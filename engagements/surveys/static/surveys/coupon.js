// Coupon entry: after one digit in a question box, move to the next box (fast keying).
const form = document.getElementById("coupon-form");
if (form) {
  const boxes = [...form.querySelectorAll("input.eng-coupon-digit")];
  boxes.forEach((box, index) => {
    box.addEventListener("input", () => {
      if (box.value.length >= Number(box.maxLength || 1) && boxes[index + 1]) {
        boxes[index + 1].focus();
        boxes[index + 1].select();
      }
    });
  });
}
